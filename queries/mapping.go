package queries

import (
	"fmt"
	"sort"
	"strings"

	"github.com/origen-analytics/origen/attribution"
)

// Dialect names a supported database.
type Dialect string

// The supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// ParseDialect validates a configured driver name.
func ParseDialect(s string) (Dialect, error) {
	switch Dialect(s) {
	case Postgres, SQLite, MySQL, ClickHouse:
		return Dialect(s), nil
	}
	return "", attribution.Errorf(attribution.KindConfig,
		"[database] driver = %q is not supported: use \"postgres\", \"sqlite\", \"mysql\" or \"clickhouse\"", s)
}

// Kind of a canonical column, which decides how it is normalised.
type colKind int

const (
	colText colKind = iota
	colTime
	colMoney
	colDate
)

type column struct {
	name     string
	kind     colKind
	optional bool
}

// Input describes one of the three inputs: its config section and the
// canonical columns it must provide.
type Input struct {
	Section string
	columns []column
}

// The three inputs of a report (METRICS.md, "Inputs").
var (
	RegistrationsInput = Input{"registrations", []column{
		{"user_id", colText, false}, {"registered_at", colTime, false}, {"channel", colText, false},
		{"campaign", colText, true}, {"source", colText, true}, {"medium", colText, true},
	}}
	PurchasesInput = Input{"purchases", []column{
		{"user_id", colText, false}, {"purchased_at", colTime, false}, {"amount", colMoney, false},
	}}
	SpendInput = Input{"spend", []column{
		{"date", colDate, false}, {"channel", colText, false}, {"amount", colMoney, false},
		{"campaign", colText, true}, {"source", colText, true}, {"medium", colText, true},
	}}
	// EventsInput is the optional activity of users (visits, logins, cart
	// adds) that prospect scores use when mapped (METRICS-COHORTS.md,
	// "Event model").
	EventsInput = Input{"events", []column{
		{"user_id", colText, false}, {"occurred_at", colTime, false}, {"name", colText, false},
	}}
)

// ColumnNames lists the canonical column names of in, required ones first.
func (in Input) ColumnNames() []string {
	var names []string
	for _, c := range in.columns {
		names = append(names, c.name)
	}
	return names
}

// Source maps one input onto the database: either a table (optionally
// schema-qualified) with column names, or a SELECT returning the canonical
// column names.
type Source struct {
	Table string
	SQL   string
	// Columns maps canonical names to the table's column names; a missing
	// required entry means the column has the canonical name. Optional
	// columns are read only when mapped.
	Columns map[string]string
	// GroupChannel derives the channel from source, medium and campaign
	// (docs/CHANNELS.md): the channel read is their composite
	// (attribution.GroupedLabel), which the report maps to a channel name;
	// no channel column is read. With sql =, the statement returns source,
	// medium and campaign.
	GroupChannel bool
	// Dimensions are columns of the registrations that prospects declare
	// when they register (country, device, plan: [registrations]
	// dimensions), at most attribution.MaxDimensions, each read as text:
	// the report breaks the cohort down by each (the drill-down). With
	// sql =, the statement returns columns of these names.
	Dimensions []string

	// dbTypes are the MySQL types of the mapped columns by canonical name
	// (Check's SourceCheck.Types) and storedZone the zone of its DATETIME
	// values, which decide how a time is read (mysqlTimeExpr); Open sets
	// them.
	dbTypes    map[string]string
	storedZone string
}

// timeOf is the instant of the source's time column canon (at ref) as
// microseconds since the epoch.
func (s Source) timeOf(d Dialect, canon, ref string) string {
	if d == MySQL {
		return mysqlTimeExpr(ref, s.dbTypes[canon], s.storedZone)
	}
	return timeExpr(d, ref)
}

// Mapping is the schema mapping of a report. Spend is nil when spend comes
// from a CSV file.
type Mapping struct {
	Registrations Source
	Purchases     Source
	Spend         *Source
	// Events is nil when the config has no [events] section.
	Events *Source
	// Touchpoints is nil when the config has no [touchpoints] section.
	Touchpoints *Source
}

// Validate checks a source's shape without touching the database.
func (s Source) Validate(in Input) error {
	switch {
	case s.Table == "" && s.SQL == "":
		return attribution.Errorf(attribution.KindConfig,
			"[%s] needs either table = \"schema.table\" (with column names) or sql = \"SELECT ...\"", in.Section)
	case s.Table != "" && s.SQL != "":
		return attribution.Errorf(attribution.KindConfig,
			"[%s] sets both table and sql: keep one", in.Section)
	case s.SQL != "" && len(s.Columns) > 0:
		keys := make([]string, 0, len(s.Columns))
		for k := range s.Columns {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return attribution.Errorf(attribution.KindConfig,
			"[%s] sets sql and column names (%s): with sql, return the canonical column names (%s) with AS instead",
			in.Section, strings.Join(keys, ", "), strings.Join(in.ColumnNames(), ", "))
	}
	if err := validateDimensions(in, s.Dimensions); err != nil {
		return err
	}
	if s.Table != "" {
		if _, err := quoteTable(s.Table); err != nil {
			return attribution.Errorf(attribution.KindConfig, "[%s] table = %q: %v", in.Section, s.Table, err)
		}
	}
	for canon, col := range s.Columns {
		if !in.has(canon) {
			return attribution.Errorf(attribution.KindConfig, "[%s] unknown key %q: the columns are %s",
				in.Section, canon, strings.Join(in.ColumnNames(), ", "))
		}
		if strings.TrimSpace(col) == "" {
			return attribution.Errorf(attribution.KindConfig, "[%s] %s is empty: name the column", in.Section, canon)
		}
	}
	return nil
}

func (in Input) has(name string) bool {
	for _, c := range in.columns {
		if c.name == name {
			return true
		}
	}
	return false
}

// quoteIdent quotes one SQL identifier; both dialects use double quotes.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteTable quotes "schema.table" (or "table") part by part. A part may
// itself be double-quoted in the config to contain a dot.
func quoteTable(t string) (string, error) {
	parts, err := tableParts(t)
	if err != nil {
		return "", err
	}
	for i, p := range parts {
		parts[i] = quoteIdent(p)
	}
	return strings.Join(parts, "."), nil
}

// tableParts splits "schema.table" (or "table") into its names.
func tableParts(t string) ([]string, error) {
	var parts []string
	rest := strings.TrimSpace(t)
	for rest != "" {
		var part string
		if rest[0] == '"' {
			end := strings.Index(rest[1:], `"`)
			if end < 0 {
				return nil, fmt.Errorf("unterminated quote")
			}
			part, rest = rest[1:end+1], rest[end+2:]
		} else if i := strings.IndexByte(rest, '.'); i >= 0 {
			part, rest = rest[:i], rest[i:]
		} else {
			part, rest = rest, ""
		}
		if part == "" {
			return nil, fmt.Errorf("empty name part")
		}
		parts = append(parts, part)
		if rest != "" {
			if rest[0] != '.' {
				return nil, fmt.Errorf("expected a dot after %s", part)
			}
			rest = rest[1:]
			if rest == "" {
				return nil, fmt.Errorf("ends with a dot")
			}
		}
	}
	if len(parts) == 0 || len(parts) > 3 {
		return nil, fmt.Errorf("want table or schema.table")
	}
	return parts, nil
}

// from returns the FROM item of a source.
func (s Source) from() string {
	if s.SQL != "" {
		return "(" + strings.TrimRight(strings.TrimSpace(s.SQL), "; \t\n") + ")"
	}
	q, _ := quoteTable(s.Table) // validated by Validate
	return q
}

// columnOf returns the source column holding canonical column c, and false
// for an optional column that is not mapped.
func (s Source) columnOf(c column) (string, bool) {
	if name, ok := s.Columns[c.name]; ok {
		return name, true
	}
	if s.GroupChannel {
		switch c.name {
		case "channel":
			return "", false
		case "source", "medium", "campaign":
			if s.SQL != "" {
				return c.name, true
			}
		}
	}
	if c.optional {
		return "", false
	}
	return c.name, true
}

// selectSQL builds the sub-select that normalises a source to canonical
// columns: times as integer microseconds since the epoch, money as integer
// 1/10000 units, dates as days since 1970-01-01, text as text. Identifiers
// are quoted, never pasted.
func (s Source) selectSQL(d Dialect, in Input) string { return s.selectSQLAs(d, in, false) }

// qualitySQL is selectSQL for the source-wide counts: on PostgreSQL the
// stored values themselves, whose NULLs are the normalised values' NULLs
// (its columns are typed), so that a count over every row computes
// nothing per row; on SQLite, whose values may be unreadable text,
// selectSQL.
// MySQL's columns are typed too.
func (s Source) qualitySQL(d Dialect, in Input) string { return s.selectSQLAs(d, in, typedRaw(d)) }

// typedRaw reports whether the dialect's filters and joins compare the
// sources' own typed columns with parameters of their type (PostgreSQL,
// MySQL); SQLite and ClickHouse compare the normalised values.
func typedRaw(d Dialect) bool { return d == Postgres || d == MySQL }

func (s Source) selectSQLAs(d Dialect, in Input, raw bool) string {
	var cols []string
	for _, c := range in.columns {
		if c.name == "channel" && s.GroupChannel {
			cols = append(cols, s.channelText(d, in)+" AS channel")
			continue
		}
		name, ok := s.columnOf(c)
		if !ok {
			cols = append(cols, "CAST(NULL AS "+textType(d)+") AS "+c.name)
			continue
		}
		ref := "origen_t." + quoteIdent(name)
		if raw {
			if c.kind == colDate {
				cols = append(cols, ref+" AS day", fmt.Sprintf("CASE WHEN %s IS NULL THEN 0 ELSE 1 END AS day_present", ref))
			} else {
				cols = append(cols, ref+" AS "+c.name)
			}
			if c.kind == colTime {
				cols = append(cols, fmt.Sprintf("CASE WHEN %s IS NULL THEN 0 ELSE 1 END AS %s_present", ref, c.name))
			}
			continue
		}
		switch c.kind {
		case colText:
			cols = append(cols, fmt.Sprintf("CAST(%s AS %s) AS %s", ref, textType(d), c.name))
		case colTime:
			cols = append(cols, s.timeOf(d, c.name, ref)+" AS "+c.name,
				fmt.Sprintf("CASE WHEN %s IS NULL THEN 0 ELSE 1 END AS %s_present", ref, c.name))
		case colMoney:
			cols = append(cols, moneyExpr(d, ref)+" AS "+c.name)
		case colDate:
			cols = append(cols, dayExpr(d, ref)+" AS day",
				fmt.Sprintf("CASE WHEN %s IS NULL THEN 0 ELSE 1 END AS day_present", ref))
		}
	}
	return "  SELECT " + strings.Join(cols, ",\n         ") + "\n  FROM " + s.from() + " AS origen_t"
}

// keyedSQL builds the parenthesized sub-select through which the one-pass
// statements read a source (first_registrations, facts, spend): beside the
// normalised columns of selectSQL it exposes the source's own columns for
// the filters that an index can serve — registered_at_f, purchased_at_f
// and date_f are the stored values on PostgreSQL, compared with bound
// parameters of their type, and the normalised numbers on SQLite, whose
// values have no type to compare with — and uid, the user_id to join on:
// the stored value when rawUID (both sources store it with the same
// PostgreSQL type), else its text. The exact bounds of every range are
// applied to the normalised columns, after these filters.
func (s Source) keyedSQL(d Dialect, in Input, rawUID bool) string {
	return s.keyedSQLWith(d, in, rawUID, nil)
}

// keyedSQLWith is keyedSQL with the spend's day computed by localDay on
// SQLite (see spendDayExpr); nil keeps dayExpr.
func (s Source) keyedSQLWith(d Dialect, in Input, rawUID bool, localDay func(micros string) string) string {
	ref := func(canon string) (string, bool) {
		for _, c := range in.columns {
			if c.name == canon {
				name, ok := s.columnOf(c)
				return "origen_t." + quoteIdent(name), ok
			}
		}
		return "", false
	}
	text := func(canon string) string {
		r, ok := ref(canon)
		if !ok {
			return "CAST(NULL AS " + textType(d) + ")"
		}
		return fmt.Sprintf("CAST(%s AS %s)", r, textType(d))
	}
	var cols []string
	add := func(expr, name string) { cols = append(cols, expr+" AS "+name) }
	if r, ok := ref("user_id"); ok {
		if rawUID && typedRaw(d) {
			add(r, "uid")
		} else {
			add(text("user_id"), "uid")
		}
	}
	filter := func(r string, norm string) string {
		if typedRaw(d) {
			return r
		}
		return norm
	}
	switch in.Section {
	case RegistrationsInput.Section:
		at, _ := ref("registered_at")
		add(filter(at, s.timeOf(d, "registered_at", at)), "registered_at_f")
		add(s.timeOf(d, "registered_at", at), "reg_us")
		add(s.channelText(d, in), "channel")
		add(text("campaign"), "campaign")
		add(s.channelKey(d, s.channelText(d, in)), "channel_key")
		add(labelKey(d, text("campaign")), "campaign_key")
		s.drillColumns(d, text, add)
	case PurchasesInput.Section:
		at, _ := ref("purchased_at")
		amount, _ := ref("amount")
		add(filter(at, s.timeOf(d, "purchased_at", at)), "purchased_at_f")
		add(s.timeOf(d, "purchased_at", at), "pur_us")
		add(moneyExpr(d, amount), "amount")
	case SpendInput.Section:
		day, _ := ref("date")
		amount, _ := ref("amount")
		dayOf := dayExpr(d, day)
		if d == SQLite && localDay != nil {
			dayOf = spendDayExpr(day, localDay)
		}
		if d == MySQL && localDay != nil && s.dbTypes["date"] == "TIMESTAMP" {
			// A TIMESTAMP is an instant: its date in the report's zone,
			// as PostgreSQL casts a timestamptz (METRICS.md, "Time").
			dayOf = localDay(s.timeOf(d, "date", day))
		}
		add(filter(day, dayOf), "date_f")
		add(dayOf, "day")
		add(s.channelText(d, in), "channel")
		add(moneyExpr(d, amount), "amount")
		add(text("campaign"), "campaign")
	}
	return "(SELECT " + strings.Join(cols, ",\n          ") + "\n   FROM " + s.from() + " AS origen_t)"
}

// channelText is the text of a source's channel: the channel column, or
// with GroupChannel the composite of source, medium and campaign, parts
// separated by attribution.GroupSeparator (a NULL part is empty), never
// NULL.
func (s Source) channelText(d Dialect, in Input) string {
	text := func(canon string) string {
		for _, c := range in.columns {
			if c.name == canon {
				if name, ok := s.columnOf(c); ok {
					return fmt.Sprintf("COALESCE(CAST(origen_t.%s AS %s), '')", quoteIdent(name), textType(d))
				}
			}
		}
		return "''"
	}
	if !s.GroupChannel {
		name, _ := s.columnOf(column{name: "channel"})
		return fmt.Sprintf("CAST(origen_t.%s AS %s)", quoteIdent(name), textType(d))
	}
	sep := map[Dialect]string{Postgres: "chr(31)", SQLite: "char(31)", MySQL: "CHAR(31 USING utf8mb4)"}[d]
	return "(" + text("source") + " || " + sep + " || " + text("medium") + " || " + sep + " || " + text("campaign") + ")"
}

// channelKey is labelKey of a channel: a composite (GroupChannel) is empty
// for the tie rule when its source, medium and campaign are.
func (s Source) channelKey(d Dialect, label string) string {
	if !s.GroupChannel {
		return labelKey(d, label)
	}
	return labelKeyTrim(d, label, map[Dialect]string{Postgres: " || chr(31)", SQLite: " || char(31)", MySQL: "CHAR(31 USING utf8mb4)"}[d])
}

// labelKey orders labels for the tie rule of first_registrations: a label
// with a character other than white space first, then the labels in byte
// order (the same on both dialects, whatever the database's collation).
func labelKey(d Dialect, label string) string { return labelKeyTrim(d, label, "") }

// labelKeyTrim is labelKey with more characters (SQL text to append to the
// set) that do not make a label non-empty.
func labelKeyTrim(d Dialect, label, more string) string {
	if d == MySQL {
		var extra []string
		if more != "" {
			extra = append(extra, more)
		}
		return fmt.Sprintf("((CASE WHEN %s THEN '1' ELSE '0' END) || COALESCE(%s, ''))", mysqlBlank(label, extra...), label)
	}
	if d == SQLite {
		return fmt.Sprintf("(CASE WHEN trim(COALESCE(%[1]s, ''), ' ' || char(9, 10, 11, 12, 13)%[2]s) = '' THEN '1' ELSE '0' END || COALESCE(%[1]s, ''))", label, more)
	}
	return fmt.Sprintf("((CASE WHEN btrim(COALESCE(%[1]s, ''), ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)%[2]s) = '' THEN '1' ELSE '0' END || COALESCE(%[1]s, '')) COLLATE \"C\")", label, more)
}

func textType(d Dialect) string {
	switch d {
	case SQLite:
		return "TEXT"
	case MySQL:
		// In the session's collation: byte order (beginMySQL).
		return "CHAR"
	}
	return "text"
}

// The dialect-specific normalisations: the only SQL that differs.
func timeExpr(d Dialect, ref string) string {
	if d == MySQL {
		return mysqlTimeExpr(ref, "", "")
	}
	if d == SQLite {
		// unixepoch reads ISO 8601 text (with or without zone; none means
		// UTC), Julian day numbers and Unix seconds; 'subsec' keeps ms.
		return fmt.Sprintf("(CAST(ROUND(unixepoch(%s, 'auto', 'subsec') * 1000) AS INTEGER) * 1000)", ref)
	}
	// A timestamp without zone is read as UTC by date_part('epoch', ...).
	// date_part is double precision, several times cheaper per row than
	// EXTRACT's numeric; PostgreSQL keeps whole microseconds, and a double
	// holds any instant before the year 2255 to within 0.12 µs, so the
	// rounded product is the exact microsecond.
	return fmt.Sprintf("CAST(ROUND(date_part('epoch', %s) * 1000000) AS bigint)", ref)
}

func moneyExpr(d Dialect, ref string) string {
	if d == MySQL {
		return mysqlMoneyExpr(ref)
	}
	if d == SQLite {
		// Text that is not a plain number would otherwise silently read as 0.
		return fmt.Sprintf("(CASE WHEN typeof(%[1]s) IN ('integer', 'real') OR (typeof(%[1]s) = 'text' AND trim(%[1]s) GLOB '*[0-9]*' AND NOT trim(%[1]s) GLOB '*[^0-9.+-]*') "+
			"THEN CAST(ROUND(%[1]s * 10000) AS INTEGER) END)", ref)
	}
	return fmt.Sprintf("CAST(ROUND(CAST(%s AS numeric) * 10000) AS bigint)", ref)
}

// spendDayExpr is the SQLite day of a spend date stored as text with a UTC
// offset ("2026-10-01T00:30:00+02:00", "...Z"): its local date in the
// report's zone, as PostgreSQL casts a timestamptz in the session's zone
// (METRICS.md, "Time"); a date, or a timestamp without offset, keeps the
// date it names, as on PostgreSQL.
func spendDayExpr(ref string, localDay func(micros string) string) string {
	withOffset := fmt.Sprintf("(typeof(%[1]s) = 'text' AND (trim(%[1]s) GLOB '*[0-9][T ][0-9]*[+-][0-9][0-9]:[0-9][0-9]' OR trim(%[1]s) GLOB '*[0-9][T ][0-9]*[0-9][zZ]'))", ref)
	return fmt.Sprintf("(CASE WHEN %s THEN %s ELSE %s END)", withOffset, localDay(timeExpr(SQLite, ref)), dayExpr(SQLite, ref))
}

func dayExpr(d Dialect, ref string) string {
	if d == MySQL {
		return mysqlDayExpr(ref)
	}
	if d == SQLite {
		return fmt.Sprintf("CAST(unixepoch(date(%s)) / 86400 AS INTEGER)", ref)
	}
	// A timestamptz is cast in the session's time zone, set to the report's.
	return fmt.Sprintf("(CAST(%s AS date) - DATE '1970-01-01')", ref)
}
