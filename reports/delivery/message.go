package delivery

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// Attachment is a finished report file to attach to the e-mail. The caller
// has already written it atomically; SendEmail reads it whole before it
// connects, so a file that cannot be read fails the delivery before
// anything is sent.
type Attachment struct {
	// Name is the file name the recipient sees; "" means the base name of
	// Path.
	Name string
	// ContentType is the MIME type; "" means the type of Name's extension
	// (see ContentTypeOf).
	ContentType string
	Path        string
}

// Content types of Origen's outputs.
const (
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypeHTML = "text/html; charset=utf-8"
	TypeJSON = "application/json"
	TypeCSV  = "text/csv; charset=utf-8"
)

// ContentTypeOf returns the MIME type of a file name by its extension:
// Origen's own formats by a fixed table (the system's mime.types must not
// change what recipients get), anything else by mime.TypeByExtension, and
// application/octet-stream when unknown.
func ContentTypeOf(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	switch ext {
	case ".xlsx":
		return TypeXLSX
	case ".html", ".htm":
		return TypeHTML
	case ".json":
		return TypeJSON
	case ".csv":
		return TypeCSV
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// part is an attachment read into memory.
type part struct {
	name, contentType string
	data              []byte
}

func readAttachments(as []Attachment) ([]part, error) {
	var parts []part
	for _, a := range as {
		name := a.Name
		if name == "" {
			name = a.Path
		}
		name = filepath.Base(name)
		ct := a.ContentType
		if ct == "" {
			ct = ContentTypeOf(name)
		}
		if _, _, err := mime.ParseMediaType(ct); err != nil {
			return nil, fmt.Errorf("attachment %s: content type %q: %w", name, ct, err)
		}
		data, err := os.ReadFile(a.Path)
		if err != nil {
			return nil, fmt.Errorf("read attachment: %w", err)
		}
		parts = append(parts, part{name: name, contentType: ct, data: data})
	}
	return parts, nil
}

// message is one e-mail: a text body, an optional HTML alternative and
// attachments. bytes renders it as RFC 5322 + MIME with CRLF line ends,
// every line shorter than 78 characters except long addresses.
type message struct {
	from        *mail.Address
	to          []*mail.Address
	subject     string
	date        time.Time
	id          string // Message-ID without angle brackets
	text        string
	html        string // "" for a text-only message
	attachments []part
}

// newMessageID returns a unique Message-ID at the sender's domain (RFC
// 5322, 3.6.4).
func newMessageID(from *mail.Address, now time.Time) string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	domain := "origen.invalid"
	if _, d, ok := strings.Cut(from.Address, "@"); ok && d != "" && !strings.ContainsAny(d, "[]") {
		domain = d
	}
	return fmt.Sprintf("origen.%d.%s@%s", now.Unix(), hex.EncodeToString(b[:]), domain)
}

func (m *message) bytes() ([]byte, error) {
	var b bytes.Buffer
	h := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	ct := func(value string) { h("Content-Type", foldParams("Content-Type", value)) }
	h("Date", m.date.Format(time.RFC1123Z))
	h("From", m.from.String())
	to := make([]string, len(m.to))
	for i, a := range m.to {
		to[i] = a.String()
	}
	h("To", strings.Join(to, ",\r\n "))
	h("Subject", encodeHeader(m.subject, len("Subject: ")))
	h("Message-ID", "<"+m.id+">")
	h("MIME-Version", "1.0")
	// RFC 3834: an unattended job's mail, so vacation responders stay quiet.
	h("Auto-Submitted", "auto-generated")

	switch {
	case len(m.attachments) == 0 && m.html == "":
		ct("text/plain; charset=utf-8")
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.text); err != nil {
			return nil, err
		}
	case len(m.attachments) == 0:
		alt := multipart.NewWriter(&b)
		ct(mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": alt.Boundary()}))
		b.WriteString("\r\n")
		if err := m.writeAlternative(alt); err != nil {
			return nil, err
		}
	default:
		mixed := multipart.NewWriter(&b)
		ct(mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mixed.Boundary()}))
		b.WriteString("\r\n")
		if err := m.writeMixed(mixed); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

func (m *message) writeMixed(mixed *multipart.Writer) error {
	if m.html == "" {
		w, err := mixed.CreatePart(textHeader("text/plain"))
		if err != nil {
			return err
		}
		if err := writeQP(w, m.text); err != nil {
			return err
		}
	} else {
		// The alternative is rendered first because its boundary goes into
		// the part's header. Both boundaries are random (multipart's 30
		// random bytes), so they differ and occur in no body.
		body := new(bytes.Buffer)
		alt := multipart.NewWriter(body)
		if err := m.writeAlternative(alt); err != nil {
			return err
		}
		w, err := mixed.CreatePart(textproto.MIMEHeader{
			"Content-Type": {foldParams("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": alt.Boundary()}))},
		})
		if err != nil {
			return err
		}
		if _, err := w.Write(body.Bytes()); err != nil {
			return err
		}
	}
	for _, a := range m.attachments {
		mediaType, params, _ := mime.ParseMediaType(a.contentType) // checked by readAttachments
		params["name"] = a.name
		ct := mime.FormatMediaType(mediaType, params)
		cd := mime.FormatMediaType("attachment", map[string]string{"filename": a.name})
		if ct == "" || cd == "" {
			return fmt.Errorf("attachment %q: cannot write its name or content type %q as a MIME header", a.name, a.contentType)
		}
		w, err := mixed.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {foldParams("Content-Type", ct)},
			"Content-Disposition":       {foldParams("Content-Disposition", cd)},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return err
		}
		if err := writeBase64(w, a.data); err != nil {
			return err
		}
	}
	return mixed.Close()
}

// writeAlternative writes the text and the HTML body, in that order: RFC
// 2046 puts the preferred (richest) alternative last.
func (m *message) writeAlternative(alt *multipart.Writer) error {
	for _, p := range []struct{ typ, body string }{{"text/plain", m.text}, {"text/html", m.html}} {
		w, err := alt.CreatePart(textHeader(p.typ))
		if err != nil {
			return err
		}
		if err := writeQP(w, p.body); err != nil {
			return err
		}
	}
	return alt.Close()
}

func textHeader(typ string) textproto.MIMEHeader {
	return textproto.MIMEHeader{
		"Content-Type":              {typ + "; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	}
}

// writeQP writes text quoted-printable: lines of at most 76 characters,
// line breaks as CRLF, so any UTF-8 and any line length survive SMTP.
func writeQP(w io.Writer, text string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, text); err != nil {
		return err
	}
	return qp.Close()
}

// base64Line is the longest encoded line RFC 2045 allows.
const base64Line = 76

// writeBase64 writes data base64-encoded in lines of 76 characters ending
// in CRLF (RFC 2045, 6.8).
func writeBase64(w io.Writer, data []byte) error {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > base64Line {
		b.WriteString(enc[:base64Line])
		b.WriteString("\r\n")
		enc = enc[base64Line:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// encodeHeader returns an unstructured header value (a subject) as it must
// appear on the wire: printable ASCII as is, folded at spaces to keep lines
// short; anything else, or text that could be mistaken for an encoded word,
// as RFC 2047 "B" encoded words of at most 75 characters, one per folded
// line. used is the length of "Name: " before the value.
func encodeHeader(s string, used int) string {
	if isPlainASCII(s) && !strings.Contains(s, "=?") {
		return foldASCII(s, used)
	}
	// An encoded word is at most 75 characters (RFC 2047, 2); each one
	// gets its own line, the first after "Name: ", the others after the
	// folding space, and no line exceeds 78 characters.
	const maxWord = 75
	prefix, suffix := "=?utf-8?b?", "?="
	room := min(maxWord, 78-used)
	var words []string
	for len(s) > 0 {
		// The largest whole-rune chunk whose base64 fits in the room.
		maxBytes := max((room-len(prefix)-len(suffix))/4*3, utf8.UTFMax)
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > maxBytes {
				break
			}
			n += size
		}
		words = append(words, prefix+base64.StdEncoding.EncodeToString([]byte(s[:n]))+suffix)
		s = s[n:]
		room = maxWord
	}
	// White space between two encoded words is not part of the text (RFC
	// 2047, 6.2), so the words can be folded freely.
	return strings.Join(words, "\r\n ")
}

// foldParams folds a header value with parameters ("type; a=1; b=2") at
// the semicolons so that lines stay within 78 characters where a fold
// can help. A fold is a CRLF inserted before the space of "; ", which
// unfolding removes again, so even a "; " inside a quoted value survives.
func foldParams(name, value string) string {
	const limit = 78
	params := strings.Split(value, "; ")
	var b strings.Builder
	b.WriteString(params[0])
	line := len(name) + 2 + len(params[0])
	for _, p := range params[1:] {
		if line+2+len(p) > limit {
			b.WriteString(";\r\n ")
			line = 1
		} else {
			b.WriteString("; ")
			line += 2
		}
		b.WriteString(p)
		line += len(p)
	}
	return b.String()
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// foldASCII folds s at spaces so that lines stay within 78 characters where
// a space allows it (RFC 5322, 2.2.3); a fold is CRLF before the space.
func foldASCII(s string, used int) string {
	const limit = 78
	var b strings.Builder
	line := used
	for i, word := range strings.Split(s, " ") {
		if i > 0 {
			if line+1+len(word) > limit {
				b.WriteString("\r\n")
				line = 0
			}
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String()
}
