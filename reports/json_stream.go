package reports

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// encodeIndented writes v to w exactly as a json.Encoder with
// SetIndent("", "  ") would (HTML-safe, a newline at the end), without
// holding the whole encoding: encoding/json builds a document in memory,
// then indents it into a second copy, which at 5,000 channels was 180 MiB
// for a 52 MiB file. Instead the top-level object is written field by
// field and its arrays (and those of its objects) element by element,
// each element encoded on its own. v must be a struct whose exported
// fields all have json tags without options (embedded structs are
// flattened, as encoding/json does); the tests compare the output with
// encoding/json's byte for byte.
func encodeIndented(w io.Writer, v any) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := streamJSON(bw, reflect.ValueOf(v), "", 0); err != nil {
		return err
	}
	if err := bw.WriteByte('\n'); err != nil {
		return err
	}
	return bw.Flush()
}

// streamJSON writes v indented at prefix. Structs down to depth 1 are
// written field by field and non-empty slices down to depth 2 element by
// element; anything deeper is small and encoded whole.
func streamJSON(w *bufio.Writer, v reflect.Value, prefix string, depth int) error {
	inner := prefix + "  "
	if l, ok := v.Interface().(lister); ok && depth <= 2 {
		if l.length() == 0 {
			_, err := w.WriteString("[]")
			return err
		}
		w.WriteString("[")
		for i := range l.length() {
			if i > 0 {
				w.WriteString(",")
			}
			w.WriteString("\n" + inner)
			if err := streamJSON(w, reflect.ValueOf(l.element(i)), inner, depth+1); err != nil {
				return err
			}
		}
		_, err := w.WriteString("\n" + prefix + "]")
		return err
	}
	switch {
	case v.Kind() == reflect.Pointer && !v.IsNil() && depth <= 1:
		return streamJSON(w, v.Elem(), prefix, depth)
	case v.Kind() == reflect.Struct && depth <= 1:
		fields, err := jsonFields(v)
		if err != nil {
			return err
		}
		w.WriteString("{")
		for i, f := range fields {
			if i > 0 {
				w.WriteString(",")
			}
			w.WriteString("\n" + inner)
			key, _ := json.Marshal(f.key)
			w.Write(key)
			w.WriteString(": ")
			if err := streamJSON(w, f.value, inner, depth+1); err != nil {
				return err
			}
		}
		if len(fields) > 0 {
			w.WriteString("\n" + prefix)
		}
		_, err = w.WriteString("}")
		return err
	case v.Kind() == reflect.Slice && v.Len() > 0 && depth <= 2:
		w.WriteString("[")
		for i := range v.Len() {
			if i > 0 {
				w.WriteString(",")
			}
			w.WriteString("\n" + inner)
			if err := streamJSON(w, v.Index(i), inner, depth+1); err != nil {
				return err
			}
		}
		_, err := w.WriteString("\n" + prefix + "]")
		return err
	}
	b, err := json.MarshalIndent(v.Interface(), prefix, "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// jsonList is a JSON array whose elements are made as they are written,
// so that a long one (a curve per channel) is never all in memory.
type jsonList[T any] struct {
	n  int
	at func(i int) T
}

func jsonListOf[T any](n int, at func(i int) T) jsonList[T] { return jsonList[T]{n, at} }

// MarshalJSON encodes the whole array, for encoding/json; encodeIndented
// streams it instead. An empty list is [], never null.
func (l jsonList[T]) MarshalJSON() ([]byte, error) {
	s := make([]T, l.n)
	for i := range s {
		s[i] = l.at(i)
	}
	return json.Marshal(s)
}

func (l jsonList[T]) length() int       { return l.n }
func (l jsonList[T]) element(i int) any { return l.at(i) }

// lister is what encodeIndented streams of a jsonList.
type lister interface {
	length() int
	element(i int) any
}

type jsonField struct {
	key   string
	value reflect.Value
}

// jsonFields lists the fields of struct v under their JSON keys, in
// order, embedded structs' fields in place.
func jsonFields(v reflect.Value) ([]jsonField, error) {
	var out []jsonField
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			inner, err := jsonFields(v.Field(i))
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "" || tag == "-" || strings.Contains(tag, ",") {
			return nil, fmt.Errorf("encode JSON: field %s.%s needs a plain json tag", t.Name(), sf.Name)
		}
		out = append(out, jsonField{tag, v.Field(i)})
	}
	return out, nil
}
