package queries

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/origen-analytics/origen/attribution"
)

// SourceCheck is what Check found for one input.
type SourceCheck struct {
	Section string
	From    string
	// Columns maps canonical names to "column (database type)".
	Columns map[string]string
	// Types maps canonical names to the database type as the driver names
	// it (upper case; empty when the driver does not say).
	Types map[string]string
}

// acceptedTypes lists PostgreSQL types (as database/sql reports them) that
// each kind of canonical column accepts; SQLite types are only advisory, so
// SQLite values are checked by the quality counts instead.
var acceptedTypes = map[colKind][]string{
	colTime:  {"TIMESTAMPTZ", "TIMESTAMP", "DATE"},
	colMoney: {"NUMERIC", "INT2", "INT4", "INT8", "FLOAT4", "FLOAT8", "MONEY"},
	colDate:  {"DATE", "TIMESTAMP", "TIMESTAMPTZ"},
}

var kindWords = map[colKind]string{
	colTime:  "a timestamp (timestamptz, timestamp or date)",
	colMoney: "a number (numeric, integer or double precision)",
	colDate:  "a date (or a timestamp)",
}

// Check validates the mapping against the database: every source can be
// read, every mapped column exists and has a usable type. It returns one
// SourceCheck per input, or a KindConfig error naming the key to fix.
func (r Reader) Check(ctx context.Context, db DBTX) ([]SourceCheck, error) {
	type item struct {
		in  Input
		src Source
	}
	items := []item{{RegistrationsInput, r.Mapping.Registrations}, {PurchasesInput, r.Mapping.Purchases}}
	if r.Mapping.Spend != nil {
		items = append(items, item{SpendInput, *r.Mapping.Spend})
	}
	if r.Mapping.Events != nil {
		items = append(items, item{EventsInput, *r.Mapping.Events})
	}
	var out []SourceCheck
	for _, it := range items {
		if err := it.src.Validate(it.in); err != nil {
			return out, err
		}
		sc, err := r.checkSource(ctx, db, it.in, it.src)
		if err != nil {
			return out, err
		}
		out = append(out, sc)
	}
	return out, nil
}

func (r Reader) checkSource(ctx context.Context, db DBTX, in Input, src Source) (SourceCheck, error) {
	from := src.Table
	if src.SQL != "" {
		from = "sql"
	}
	sc := SourceCheck{Section: in.Section, From: from, Columns: map[string]string{}, Types: map[string]string{}}
	q := "SELECT * FROM " + src.from() + " AS origen_t LIMIT 0"
	if r.Record != nil {
		r.Record(Statement{Name: "mapping check", SQL: q})
	}
	rows, err := db.QueryxContext(ctx, q)
	if err != nil {
		what := fmt.Sprintf("table = %q", src.Table)
		if src.SQL != "" {
			what = "sql"
		}
		return sc, attribution.Errorf(attribution.KindConfig, "[%s] %s cannot be read: %w", in.Section, what, err)
	}
	types, err := rows.ColumnTypes()
	rows.Close()
	if err != nil {
		return sc, fmt.Errorf("read the columns of [%s]: %w", in.Section, err)
	}
	have := map[string]string{}
	var names []string
	for _, t := range types {
		name := t.Name()
		if r.Dialect == SQLite { // SQLite identifiers ignore case, even quoted
			name = strings.ToLower(name)
		}
		have[name] = strings.ToUpper(t.DatabaseTypeName())
		names = append(names, t.Name())
	}
	for _, c := range in.columns {
		col, mapped := src.columnOf(c)
		if !mapped {
			continue
		}
		lookup := col
		if r.Dialect == SQLite {
			lookup = strings.ToLower(col)
		}
		typ, ok := have[lookup]
		if !ok {
			key := c.name
			if src.SQL != "" {
				return sc, attribution.Errorf(attribution.KindConfig,
					"[%s] sql returns no column %q (it returns %s): add `... AS %s` to the SELECT",
					in.Section, c.name, strings.Join(names, ", "), c.name)
			}
			hint := ""
			for _, n := range names {
				if strings.EqualFold(n, col) {
					hint = fmt.Sprintf(" (did you mean %q? names are case-sensitive)", n)
				}
			}
			return sc, attribution.Errorf(attribution.KindConfig,
				"[%s] %s = %q: table %s has no such column%s; its columns are %s",
				in.Section, key, col, src.Table, hint, strings.Join(names, ", "))
		}
		if r.Dialect == Postgres && typ != "" {
			if accepted, strict := acceptedTypes[c.kind]; strict && !slices.Contains(accepted, typ) {
				return sc, attribution.Errorf(attribution.KindConfig,
					"[%s] %s = %q has type %s, but %s must be %s: map another column or convert it with sql =",
					in.Section, c.name, col, strings.ToLower(typ), c.name, kindWords[c.kind])
			}
		}
		sc.Types[c.name] = typ
		if typ == "" {
			typ = "untyped"
		}
		sc.Columns[c.name] = fmt.Sprintf("%s (%s)", col, strings.ToLower(typ))
	}
	return sc, nil
}
