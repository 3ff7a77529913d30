package main

import (
	"fmt"
	"sort"
	"strings"
)

// rawRegistrations is the [registrations] section: column names (text
// values, as in the other input sections) and dimensions, the list of the
// columns prospects declare when they register (the drill-down).
type rawRegistrations struct {
	Keys       map[string]string
	Dimensions []string
}

// UnmarshalTOML reads the section by hand: every key but dimensions is a
// string, dimensions an array of strings.
func (r *rawRegistrations) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("[registrations] must be a table")
	}
	r.Keys = map[string]string{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "dimensions" {
			list, ok := m[k].([]any)
			if !ok {
				return fmt.Errorf("[registrations] dimensions must be a list of column names, e.g. dimensions = [\"country\", \"device\"]")
			}
			for _, x := range list {
				s, ok := x.(string)
				if !ok {
					return fmt.Errorf("[registrations] dimensions must be a list of column names (text), got %v", x)
				}
				r.Dimensions = append(r.Dimensions, strings.TrimSpace(s))
			}
			continue
		}
		s, ok := m[k].(string)
		if !ok {
			return fmt.Errorf("[registrations] %s must be text (a column name, table or sql), got %v", k, m[k])
		}
		r.Keys[k] = s
	}
	return nil
}
