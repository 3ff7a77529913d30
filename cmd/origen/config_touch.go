package main

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

// rawAttribution mirrors [attribution] (docs/MULTITOUCH.md, "Settings").
type rawAttribution struct {
	Conversion   string   `toml:"conversion"`
	LookbackDays *int     `toml:"lookback_days"`
	Models       []string `toml:"models"`
	HalfLifeDays *float64 `toml:"half_life_days"`
	MarkovOrder  *int     `toml:"markov_order"`
	Direct       []string `toml:"direct"`
	MaxPaths     *int     `toml:"max_paths"`
}

// loadTouchpoints reads [touchpoints] into m.Touchpoints (nil when kv is
// nil) and [attribution] into settings. Touchpoints that map source and
// medium instead of channel are grouped by the registrations' channel
// rules, which must then group too. Call it after loadChannels.
func loadTouchpoints(kv map[string]string, raw *rawAttribution, m *queries.Mapping) (attribution.TouchSettings, error) {
	var s attribution.TouchSettings
	if raw != nil {
		s.Conversion = strings.TrimSpace(raw.Conversion)
		if v := raw.LookbackDays; v != nil {
			if *v < 1 || *v > 3650 {
				return s, fmt.Errorf("[attribution] lookback_days = %d: use a number of days from 1 to 3650", *v)
			}
			s.LookbackDays = *v
		}
		for _, name := range raw.Models {
			s.Models = append(s.Models, attribution.TouchModel(strings.TrimSpace(name)))
		}
		if raw.Models != nil && len(raw.Models) == 0 {
			return s, fmt.Errorf("[attribution] models = []: name at least one model, or remove the key for all of them")
		}
		if v := raw.HalfLifeDays; v != nil {
			if !(*v > 0) {
				return s, fmt.Errorf("[attribution] half_life_days = %v: give a positive number of days", *v)
			}
			s.HalfLifeDays = *v
		}
		if v := raw.MarkovOrder; v != nil {
			if *v < 1 || *v > 4 {
				return s, fmt.Errorf("[attribution] markov_order = %d: give 1, 2, 3 or 4", *v)
			}
			s.MarkovOrder = *v
		}
		if raw.Direct != nil {
			s.Direct = []string{}
			for _, d := range raw.Direct {
				s.Direct = append(s.Direct, strings.TrimFunc(d, unicode.IsSpace))
			}
		}
		if v := raw.MaxPaths; v != nil {
			if *v < 1 {
				return s, fmt.Errorf("[attribution] max_paths = %d: give a positive number of paths", *v)
			}
			s.MaxPaths = *v
		}
		if err := s.WithDefaults().Validate(); err != nil {
			return s, err
		}
	}
	if kv == nil {
		return s, nil
	}
	src, err := source(queries.TouchpointsInput, kv, false)
	if err != nil {
		return s, err
	}
	_, source := src.Columns["source"]
	_, medium := src.Columns["medium"]
	_, channel := src.Columns["channel"]
	switch {
	case src.SQL == "" && (source || medium) && channel:
		return s, fmt.Errorf("[touchpoints] maps channel = %q and source and medium: keep one (source and medium are grouped by the channel rules)", src.Columns["channel"])
	case src.SQL == "" && source != medium:
		return s, fmt.Errorf("[touchpoints] maps only one of source and medium: map both to group touchpoints by the channel rules, or neither and map channel")
	case src.SQL == "" && source && !m.Registrations.GroupChannel:
		return s, fmt.Errorf("[touchpoints] maps source and medium, but the registrations' channels are not grouped from source and medium: map channel in [touchpoints], or group the registrations ([channels] grouping)")
	case src.SQL == "" && source, src.SQL != "" && m.Registrations.GroupChannel:
		// With sql =, the statement returns what the registrations have.
		src.GroupChannel = true
	}
	m.Touchpoints = &src
	return s, nil
}

// auditAttribution writes [attribution] as it was given, for the About
// sheet (auditText); nothing without the section.
func auditAttribution(w io.Writer, raw *rawAttribution, kv func(string, any)) {
	if raw == nil {
		return
	}
	io.WriteString(w, "\n[attribution]\n")
	if raw.Conversion != "" {
		kv("conversion", raw.Conversion)
	}
	if v := raw.LookbackDays; v != nil {
		kv("lookback_days", *v)
	}
	if raw.Models != nil {
		kv("models", raw.Models)
	}
	if v := raw.HalfLifeDays; v != nil {
		kv("half_life_days", *v)
	}
	if v := raw.MarkovOrder; v != nil {
		kv("markov_order", *v)
	}
	if raw.Direct != nil {
		kv("direct", raw.Direct)
	}
	if v := raw.MaxPaths; v != nil {
		kv("max_paths", *v)
	}
}
