package queries

import (
	"fmt"
	"strings"

	"github.com/origen-analytics/origen/attribution"
)

// drillColumns adds the columns of the drill-down to the keyed
// registrations (first_registrations carries them to facts.sql): source,
// medium and dim1..dimN (attribution.MaxDimensions), the declared
// dimensions in order, NULL where none is mapped. On PostgreSQL they
// compare in byte order, as on SQLite, whatever the database's collation,
// so that the least value of a user's tied registrations is the same on
// both.
func (s Source) drillColumns(d Dialect, text func(canon string) string, add func(expr, name string)) {
	collate := func(e string) string {
		if d == Postgres {
			return e + ` COLLATE "C"`
		}
		return e
	}
	add(collate(text("source")), "source")
	add(collate(text("medium")), "medium")
	for i := range attribution.MaxDimensions {
		e := "CAST(NULL AS " + textType(d) + ")"
		if i < len(s.Dimensions) {
			e = fmt.Sprintf("CAST(origen_t.%s AS %s)", quoteIdent(s.Dimensions[i]), textType(d))
		}
		add(collate(e), fmt.Sprintf("dim%d", i+1))
	}
}

// validateDimensions checks [registrations] dimensions without the
// database: at most attribution.MaxDimensions distinct, non-empty names.
func validateDimensions(in Input, dims []string) error {
	if len(dims) > attribution.MaxDimensions {
		return attribution.Errorf(attribution.KindConfig, "[%s] dimensions lists %d columns: at most %d",
			in.Section, len(dims), attribution.MaxDimensions)
	}
	seen := map[string]bool{}
	for _, d := range dims {
		if strings.TrimSpace(d) == "" {
			return attribution.Errorf(attribution.KindConfig, "[%s] dimensions has an empty name: list column names, e.g. [\"country\", \"device\"]", in.Section)
		}
		if seen[d] {
			return attribution.Errorf(attribution.KindConfig, "[%s] dimensions lists %q twice", in.Section, d)
		}
		seen[d] = true
	}
	return nil
}

// dimensionsText lists the declared dimensions with their types, for
// origen check.
func dimensionsText(src Source, have map[string]string, fold bool) string {
	var parts []string
	for _, d := range src.Dimensions {
		lookup := d
		if fold {
			lookup = strings.ToLower(d)
		}
		typ := strings.ToLower(have[lookup])
		if typ == "" {
			typ = "untyped"
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", d, typ))
	}
	return strings.Join(parts, ", ")
}

// checkDimensions reports a declared dimension that the source does not
// have (have: its columns, lower case on SQLite; names as returned).
func checkDimensions(in Input, src Source, have map[string]string, names []string, fold bool) error {
	for _, d := range src.Dimensions {
		lookup := d
		if fold {
			lookup = strings.ToLower(d)
		}
		if _, ok := have[lookup]; ok {
			continue
		}
		if src.SQL != "" {
			return attribution.Errorf(attribution.KindConfig,
				"[%s] dimensions names %q, but sql returns no such column (it returns %s): add it to the SELECT",
				in.Section, d, strings.Join(names, ", "))
		}
		return attribution.Errorf(attribution.KindConfig,
			"[%s] dimensions names %q: table %s has no such column; its columns are %s",
			in.Section, d, src.Table, strings.Join(names, ", "))
	}
	return nil
}

// addDrill files a drill-down row of facts.sql by its part.
func (r Reader) addDrill(f *attribution.Facts, part int64, row attribution.DrillRow) {
	switch {
	case part == 4:
		f.Campaigns = append(f.Campaigns, row)
	case part == 5:
		f.Sources = append(f.Sources, row)
	default:
		row.Value2, row.Value2Valid = "", false
		d := &f.Dimensions[part-21]
		d.Rows = append(d.Rows, row)
	}
}
