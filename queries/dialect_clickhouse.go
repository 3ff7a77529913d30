package queries

import (
	"context"

	"embed"
	"fmt"
	"github.com/jmoiron/sqlx"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// ClickHouse is a ClickHouse server or cluster (18.16 and later), read
// through internal/clickhouse's read-only native connections. Its
// statements are their own files, sql/clickhouse/*.sql: the server has no
// window functions, no correlated subqueries and no WITH of tables, so the
// per-user facts are one GROUP BY of the user's rows into arrays (see
// first_registrations there) — an aggregation that ClickHouse runs on the
// shards of a Distributed table (docs/SCALE.md).
const ClickHouse Dialect = "clickhouse"

//go:embed sql/clickhouse/*.sql
var clickHouseSQL embed.FS

// clickHouseStatements are the statements ported to ClickHouse: all of
// Origen's; a name missing here is refused (errClickHouseUnsupported).
var clickHouseStatements = map[string]bool{
	"facts": true, "spend": true, "detail": true, "budget_weeks": true,
	"registrations_quality": true, "purchases_quality": true, "spend_quality": true,
	"ltv": true, "ltv_spend": true, "paths": true, "touch_channels": true, "prospect_events": true,
}

// ClickHouseCoverage is what origen check says about the sections on
// ClickHouse.
const ClickHouseCoverage = "on ClickHouse, Origen computes every section of the report - cohorts, comparison, daily cohorts, " +
	"conversion curves, projection, drill-down, prospect list with [events] scores, spend, the Registrations sheet (detail), " +
	"the budget plan, lifetime value ([ltv]) and multi-touch paths ([touchpoints]) - with its own statements (sql/clickhouse)"

// errClickHouseUnsupported is the error of a statement without a
// ClickHouse version.
func errClickHouseUnsupported(name string) error {
	return attribution.Errorf(attribution.KindConfig, "query %s has no ClickHouse version", name)
}

// chParam is a named parameter of Origen's own statement text.
var chParam = regexp.MustCompile(`:([a-z][a-z0-9_]*)`)

// prepareClickHouse is prepare for ClickHouse: the named parameters are
// written into Origen's own text as literals (all are numbers Origen
// computed), before the sources' sub-selects are inserted, so no `?` or
// `:` of a user's sql = text is ever read as a parameter, and the
// statement goes out without arguments.
func (r Reader) prepareClickHouse(name string, args map[string]any, extra map[string]string) (string, []any, error) {
	if !clickHouseStatements[name] {
		return "", nil, errClickHouseUnsupported(name)
	}
	text, err := readClickHouseSQL(name)
	if err != nil {
		return "", nil, err
	}
	if name == "facts" {
		for k, v := range chCurves(chCurvesUsed(args)) {
			text = strings.ReplaceAll(text, "{{."+k+"}}", v)
		}
	}
	var bindErr error
	text = chParam.ReplaceAllStringFunc(text, func(m string) string {
		v, ok := args[m[1:]]
		if !ok {
			bindErr = fmt.Errorf("bind query %s: no value for %s", name, m)
			return m
		}
		lit, err := chLiteral(v)
		if err != nil {
			bindErr = fmt.Errorf("bind query %s: %s: %w", name, m, err)
		}
		return lit
	})
	if bindErr != nil {
		return "", nil, bindErr
	}
	data := map[string]string{
		"RegistrationsKeyed": r.chKeyed(r.Mapping.Registrations, RegistrationsInput),
		"PurchasesKeyed":     r.chKeyed(r.Mapping.Purchases, PurchasesInput),
		"RegistrationsQ":     r.chSelect(r.Mapping.Registrations, RegistrationsInput),
		"PurchasesQ":         r.chSelect(r.Mapping.Purchases, PurchasesInput),
		// first_registrations orders the tied rows of a user, t, by these.
		"TieChannelKey":  chLabelKey("tupleElement(t, 2)", r.Mapping.Registrations.GroupChannel),
		"TieCampaignKey": chLabelKey("tupleElement(t, 3)", false),
		"FirstExtra":     "",
	}
	for k, v := range chDims(len(r.Mapping.Registrations.Dimensions)) {
		data[k] = v
	}
	if r.Mapping.Events != nil {
		data["Events"] = r.chSelect(*r.Mapping.Events, EventsInput)
	}
	if r.Mapping.Spend != nil {
		data["SpendKeyed"] = r.chKeyed(*r.Mapping.Spend, SpendInput)
		data["SpendQ"] = r.chSelect(*r.Mapping.Spend, SpendInput)
	}
	for k, v := range extra {
		data[k] = v
	}
	// The template's values are inserted by name, literally: no user text
	// is parsed as a template.
	out := regexp.MustCompile(`\{\{\.([A-Za-z]+)\}\}`).ReplaceAllStringFunc(text, func(m string) string {
		k := m[3 : len(m)-2]
		v, ok := data[k]
		if !ok {
			bindErr = fmt.Errorf("render query %s: no value for %s", name, m)
		}
		return v
	})
	if bindErr != nil {
		return "", nil, bindErr
	}
	return out, nil, nil
}

// readClickHouseSQL reads sql/clickhouse/name.sql with its included parts.
func readClickHouseSQL(name string) (string, error) {
	text, err := clickHouseSQL.ReadFile("sql/clickhouse/" + name + ".sql")
	if err != nil {
		return "", fmt.Errorf("read embedded query clickhouse/%s: %w", name, err)
	}
	lines := strings.SplitAfter(string(text), "\n")
	for i, l := range lines {
		if part, ok := strings.CutPrefix(strings.TrimSpace(l), includePrefix); ok {
			inc, err := clickHouseSQL.ReadFile("sql/clickhouse/" + part + ".inc.sql")
			if err != nil {
				return "", fmt.Errorf("query clickhouse/%s includes %s: %w", name, part, err)
			}
			lines[i] = string(inc)
		}
	}
	return strings.Join(lines, ""), nil
}

// chLiteral is a parameter value as a ClickHouse literal.
func chLiteral(v any) (string, error) {
	switch x := v.(type) {
	case int64:
		return fmt.Sprintf("toInt64(%d)", x), nil
	case int:
		return fmt.Sprintf("toInt64(%d)", x), nil
	case bool:
		if x {
			return "1", nil
		}
		return "0", nil
	case string:
		return chQuote(x), nil
	case time.Time:
		return fmt.Sprintf("toInt64(%d)", x.UnixMicro()), nil
	}
	return "", fmt.Errorf("unsupported parameter type %T", v)
}

// chQuote is s as a ClickHouse string literal.
func chQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// chQuoteIdent quotes one ClickHouse identifier.
func chQuoteIdent(s string) string {
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(s) + "`"
}

// chTable quotes "database.table" (or "table") for ClickHouse, part by
// part as quoteTable reads them (a part may be double-quoted in the config
// to contain a dot).
func chTable(t string) (string, error) {
	if _, err := quoteTable(t); err != nil {
		return "", err
	}
	names, err := tableParts(t)
	if err != nil {
		return "", err
	}
	if len(names) > 2 {
		return "", fmt.Errorf("want table or database.table on ClickHouse")
	}
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = chQuoteIdent(n)
	}
	return strings.Join(parts, "."), nil
}

// chFrom is the FROM item of a source on ClickHouse.
func chFrom(s Source) string {
	if s.SQL != "" {
		return "(" + strings.TrimRight(strings.TrimSpace(s.SQL), "; \t\n") + ")"
	}
	q, _ := chTable(s.Table) // validated by Check
	return q
}

// chBaseType is a ClickHouse type without Nullable(...) and
// LowCardinality(...), upper case: DATETIME, DATE, DECIMAL(12, 2), STRING.
func chBaseType(t string) string {
	t = strings.ToUpper(strings.TrimSpace(t))
	for _, w := range []string{"NULLABLE(", "LOWCARDINALITY("} {
		if strings.HasPrefix(t, w) && strings.HasSuffix(t, ")") {
			t = strings.TrimSpace(t[len(w) : len(t)-1])
		}
	}
	return t
}

// chAccepted says whether a ClickHouse type serves a canonical column of
// kind k, and if not what it must be.
func chAccepted(k colKind, typ string) bool {
	b := chBaseType(typ)
	switch k {
	case colTime, colDate:
		return b == "DATE" || strings.HasPrefix(b, "DATETIME") || b == "STRING" || strings.HasPrefix(b, "FIXEDSTRING")
	case colMoney:
		return strings.HasPrefix(b, "DECIMAL") || strings.HasPrefix(b, "INT") || strings.HasPrefix(b, "UINT") ||
			strings.HasPrefix(b, "FLOAT") || b == "STRING"
	}
	return true
}

var chKindWords = map[colKind]string{
	colTime:  "a DateTime, Date or String holding a timestamp",
	colMoney: "a number (Decimal, Int*, UInt*, Float*) or a String holding one",
	colDate:  "a Date, DateTime or String holding a date",
}

// decimalScale is S of DECIMAL(P, S) (and DECIMAL32(S)...), -1 otherwise.
func decimalScale(b string) int {
	if !strings.HasPrefix(b, "DECIMAL") {
		return -1
	}
	i := strings.LastIndexAny(b, ",(")
	j := strings.LastIndexByte(b, ')')
	if i < 0 || j < i {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimSpace(b[i+1 : j]))
	if err != nil {
		return -1
	}
	return n
}

// chType is the stored type of a mapped column (Check found it).
func (r Reader) chType(section, canon string) string {
	return chBaseType(r.Types[section][canon])
}

// chTime is a stored instant as integer microseconds since the epoch
// (NULL when unreadable). DateTime holds whole seconds; a Date is its
// midnight UTC; a String is read as ISO 8601 (no zone means UTC).
func (r Reader) chTime(section, canon, ref string) string {
	switch b := r.chType(section, canon); {
	case b == "DATE":
		return fmt.Sprintf("(toInt64(toUInt16(%s)) * 86400000000)", ref)
	case strings.HasPrefix(b, "DATETIME"):
		return fmt.Sprintf("(toInt64(toUnixTimestamp(%s)) * 1000000)", ref)
	default:
		return fmt.Sprintf("(toInt64(toUnixTimestamp(parseDateTimeBestEffortOrNull(toString(%s), 'UTC'))) * 1000000)", ref)
	}
}

// chMoney is a stored amount as integer 1/10000 units: exact for integers
// and decimals of at most 4 places (the server refuses an overflow of its
// decimal arithmetic); rounded from the double for floats and text.
func (r Reader) chMoney(section, canon, ref string) string {
	b := r.chType(section, canon)
	switch s := decimalScale(b); {
	case s >= 0 && s <= 4:
		return fmt.Sprintf("toInt64(%s * 10000)", ref)
	case strings.HasPrefix(b, "INT") || strings.HasPrefix(b, "UINT"):
		return fmt.Sprintf("(toInt64(%s) * 10000)", ref)
	case strings.HasPrefix(b, "FLOAT") || s > 4:
		return fmt.Sprintf("toInt64(round(toFloat64(%s) * 10000))", ref)
	default:
		return fmt.Sprintf("toInt64(round(toFloat64OrNull(toString(%s)) * 10000))", ref)
	}
}

// chDay is a stored date as days since 1970-01-01: a DateTime's local
// date in the report's time zone (as PostgreSQL casts a timestamptz).
func (r Reader) chDay(section, canon, ref string) string {
	tz := "UTC"
	if r.Location != nil && r.Location.String() != "Local" {
		tz = r.Location.String()
	}
	switch b := r.chType(section, canon); {
	case b == "DATE":
		return fmt.Sprintf("toInt64(toUInt16(%s))", ref)
	case strings.HasPrefix(b, "DATETIME"):
		return fmt.Sprintf("toInt64(toUInt16(toDate(%s, %s)))", ref, chQuote(tz))
	default:
		return fmt.Sprintf("toInt64(toUInt16(toDate(parseDateTimeBestEffortOrNull(toString(%s), 'UTC'), %s)))", ref, chQuote(tz))
	}
}

// chRef is the quoted source column of canonical column canon, and false
// when it is not mapped.
func chRef(s Source, in Input, canon string) (string, bool) {
	for _, c := range in.columns {
		if c.name == canon {
			name, ok := s.columnOf(c)
			return "origen_t." + chQuoteIdent(name), ok
		}
	}
	return "", false
}

// chText is a column as Nullable(String), NULL when not mapped.
func chText(s Source, in Input, canon string) string {
	ref, ok := chRef(s, in, canon)
	if !ok {
		return "CAST(NULL AS Nullable(String))"
	}
	return "CAST(" + ref + " AS Nullable(String))"
}

// chChannel is a source's channel text (see channelText).
func chChannel(s Source, in Input) string {
	if !s.GroupChannel {
		return chText(s, in, "channel")
	}
	part := func(c string) string { return "ifNull(" + chText(s, in, c) + ", '')" }
	return "CAST(concat(" + part("source") + ", '\\x1F', " + part("medium") + ", '\\x1F', " + part("campaign") + ") AS Nullable(String))"
}

// chLabelKey is labelKey on ClickHouse: '0' before a label with a
// character other than white space (and, for a composite, the separator),
// '1' before an empty one, then the label; strings compare as bytes.
func chLabelKey(label string, composite bool) string {
	set := `\t\n\x0B\f\r `
	if composite {
		set += `\x1F`
	}
	return fmt.Sprintf("concat(if(match(ifNull(%[1]s, ''), '^[%[2]s]*$'), '1', '0'), ifNull(%[1]s, ''))", label, set)
}

// chSelect is selectSQL on ClickHouse: the canonical columns normalised,
// with a _present flag for times and dates.
func (r Reader) chSelect(s Source, in Input) string {
	var cols []string
	for _, c := range in.columns {
		if c.name == "channel" && s.GroupChannel {
			cols = append(cols, chChannel(s, in)+" AS channel")
			continue
		}
		ref, ok := chRef(s, in, c.name)
		if !ok {
			cols = append(cols, "CAST(NULL AS Nullable(String)) AS "+c.name)
			continue
		}
		present := fmt.Sprintf("toInt64(isNotNull(%s))", ref)
		switch c.kind {
		case colText:
			cols = append(cols, chText(s, in, c.name)+" AS "+c.name)
		case colTime:
			cols = append(cols, r.chTime(in.Section, c.name, ref)+" AS "+c.name, present+" AS "+c.name+"_present")
		case colMoney:
			cols = append(cols, r.chMoney(in.Section, c.name, ref)+" AS "+c.name)
		case colDate:
			cols = append(cols, r.chDay(in.Section, c.name, ref)+" AS day", present+" AS day_present")
		}
	}
	return "  SELECT " + strings.Join(cols, ",\n         ") + "\n  FROM " + chFrom(s) + " AS origen_t"
}

// chKeyed is keyedSQL on ClickHouse: the normalised columns the one pass
// reads, uid the user_id's text.
func (r Reader) chKeyed(s Source, in Input) string {
	var cols []string
	add := func(expr, name string) { cols = append(cols, expr+" AS "+name) }
	ref := func(canon string) string { x, _ := chRef(s, in, canon); return x }
	if x, ok := chRef(s, in, "user_id"); ok && r.RawUserID {
		// Both sources store user_id with the same type: grouped as stored.
		add(x, "uid")
	} else if ok {
		add(chText(s, in, "user_id"), "uid")
	}
	switch in.Section {
	case RegistrationsInput.Section:
		add(r.chTime(in.Section, "registered_at", ref("registered_at")), "reg_us")
		add(chChannel(s, in), "channel")
		add(chText(s, in, "campaign"), "campaign")
		add(chText(s, in, "source"), "source")
		add(chText(s, in, "medium"), "medium")
		for i := range attribution.MaxDimensions {
			e := "CAST(NULL AS Nullable(String))"
			if i < len(s.Dimensions) {
				e = "CAST(origen_t." + chQuoteIdent(s.Dimensions[i]) + " AS Nullable(String))"
			}
			add(e, fmt.Sprintf("dim%d", i+1))
		}
	case PurchasesInput.Section:
		add(r.chTime(in.Section, "purchased_at", ref("purchased_at")), "pur_us")
		add(r.chMoney(in.Section, "amount", ref("amount")), "amount")
	case SpendInput.Section:
		add(r.chDay(in.Section, "date", ref("date")), "day")
		add(chChannel(s, in), "channel")
		add(r.chMoney(in.Section, "amount", ref("amount")), "amount")
		add(chText(s, in, "campaign"), "campaign")
	}
	return "(SELECT " + strings.Join(cols, ",\n          ") + "\n   FROM " + chFrom(s) + " AS origen_t)"
}

// chCurves are facts.sql's fragments of the four curve specifications
// (parts 10 + part; the file's comment): per user, in spec i's population
// (bit 512 << i of the mask), conv_i (converted by day_i, the day it is
// counted on: the conversion day or the days followed), open_i and
// open_next_i; the same columns as keys of the users' groups; and the
// selectors of the columns by bit — for the specifications used marks.
func chCurves(used []bool) map[string]string {
	var cols, mask, keys strings.Builder
	sel := map[string][]string{"CurvePart": nil, "CurveDay": nil, "CurveConverted": nil, "CurveOpen": nil, "CurveOpenNext": nil}
	for i := 1; i <= attribution.MaxCurveSpecs; i++ {
		if !used[i-1] {
			continue
		}
		s := func(k string) string { return fmt.Sprintf(":s%d_%s", i, k) }
		conv := fmt.Sprintf("(has_first AND first_at <= %s AND first_at < reg_us + :window_us)", s("as_of"))
		followed := fmt.Sprintf("if(%[1]s - reg_us >= :window_us, :window_days, intDiv(%[1]s - reg_us, 86400000000))", s("as_of"))
		convDay := "intDiv(first_at - reg_us, 86400000000)"
		fmt.Fprintf(&cols, ",\n             toInt64(%[1]s AND %[2]s < %[3]s) AS conv_%[4]d,"+
			"\n             toInt64(if(conv_%[4]d = 1, %[2]s, %[3]s)) AS day_%[4]d,"+
			"\n             toInt64(NOT %[1]s AND %[3]s < :window_days AND reg_us >= %[5]s AND reg_us < %[6]s) AS open_%[4]d,"+
			"\n             toInt64(open_%[4]d = 1 AND has_first AND first_at > %[7]s AND first_at <= %[8]s AND first_at < reg_us + :window_us) AS open_next_%[4]d",
			conv, convDay, followed, i, s("open_start"), s("open_end"), s("as_of"), s("outcome_end"))
		fmt.Fprintf(&mask, "\n                    + %d * (existing = 0 AND reg_us >= %s AND reg_us < %s AND reg_us <= %s)",
			256<<i, s("pop_start"), s("pop_end"), s("as_of"))
		fmt.Fprintf(&keys, ", conv_%[1]d, day_%[1]d, open_%[1]d, open_next_%[1]d", i)
		for k, v := range map[string]string{"CurvePart": "10 + " + s("part"), "CurveDay": fmt.Sprintf("day_%d", i),
			"CurveConverted": fmt.Sprintf("conv_%d", i), "CurveOpen": fmt.Sprintf("open_%d", i), "CurveOpenNext": fmt.Sprintf("open_next_%d", i)} {
			sel[k] = append(sel[k], fmt.Sprintf("b = %d, %s", 256<<i, v))
		}
	}
	out := map[string]string{"CurveColumns": cols.String(), "CurveMask": mask.String(), "CurveKeys": keys.String()}
	for k, v := range sel {
		out[k] = "0"
		if len(v) > 0 {
			out[k] = "multiIf(" + strings.Join(v, ", ") + ", 0)"
		}
	}
	return out
}

// chCurvesUsed says which curve specifications of facts' arguments have
// a population (factsPlan gives the others an empty one): chCurves leaves
// the others out, whose columns no user's mask would read.
func chCurvesUsed(args map[string]any) []bool {
	used := make([]bool, attribution.MaxCurveSpecs)
	for i := range used {
		start, _ := args[fmt.Sprintf("s%d_pop_start", i+1)].(int64)
		end, _ := args[fmt.Sprintf("s%d_pop_end", i+1)].(int64)
		used[i] = end > start
	}
	return used
}

// beginClickHouse is BeginSnapshot on ClickHouse: the server has no
// transactions, so each statement reads the parts of the tables that are
// complete when it starts (MergeTree parts are immutable), and two
// statements of a report may see different inserts; the report's data
// cutoff (as_of) keeps rows inserted later out of every count. The
// connections are read-only (readonly = 1) and carry the statement
// timeout (max_execution_time), both set by internal/clickhouse.
func beginClickHouse(ctx context.Context, db *sqlx.DB) (*ReadTx, error) {
	if err := db.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("connect to ClickHouse: %w", err)
	}
	return &ReadTx{db: db, dialect: ClickHouse}, nil
}

// clickHouseOverflow reports whether msg is ClickHouse's refusal of a
// number beyond 64 bits: facts.sql's throwIf, or decimal arithmetic.
func clickHouseOverflow(msg string) bool {
	return strings.Contains(msg, "throwIf") || strings.Contains(msg, "Decimal math overflow")
}

// clickHouseExplain words the ClickHouse failures a person can act on
// (nil for the others): the server's time and memory limits.
func clickHouseExplain(name string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Timeout exceeded") || strings.Contains(msg, "code: 159,"):
		return fmt.Errorf("query %s timed out on the server (max_execution_time; raise [database] statement_timeout): %w", name, err)
	case strings.Contains(msg, "Memory limit") && strings.Contains(msg, "exceeded"):
		return fmt.Errorf("query %s needs more memory than the ClickHouse server allows it: raise max_memory_usage for Origen's user, "+
			"or let the per-user step spill to disk with ?max_bytes_before_external_group_by=N in the DSN (docs/SCALE.md): %w", name, err)
	}
	return nil
}

// ClickHousePlanningNote is what `origen run --dry-run` says about the
// ClickHouse statements it shows (ClickHousePlanningTypes).
const ClickHousePlanningNote = "ClickHouse statements convert each mapped column by its stored type, which a run reads from the server " +
	"(origen check lists them); without a connection they are shown for DateTime times, Decimal(12, 2) amounts, Date dates " +
	"and one Int64 user_id type in registrations and purchases (the types of fixtures load --driver clickhouse)"

// ClickHousePlanningTypes are the stored types the dry run renders
// ClickHouse's statements for, by section and canonical column
// (ClickHousePlanningNote): the text of a run differs only where a real
// column has another type.
func ClickHousePlanningTypes() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, in := range []Input{RegistrationsInput, PurchasesInput, SpendInput, EventsInput, TouchpointsInput} {
		types := map[string]string{}
		for _, c := range in.columns {
			switch {
			case c.name == "user_id":
				types[c.name] = "Int64"
			case c.kind == colTime:
				types[c.name] = "DateTime"
			case c.kind == colMoney:
				types[c.name] = "Decimal(12, 2)"
			case c.kind == colDate:
				types[c.name] = "Date"
			}
		}
		out[in.Section] = types
	}
	return out
}

// chDims are first_registrations' fragments of the n declared dimensions:
// the elements of a registration's tuple (after registered_at, channel,
// campaign, source and medium), their least over a candidate's rows, and
// dim1..dim4 of a candidate (NULL past n). The undeclared ones stay out of
// the per-user arrays, whose size is the pass's main cost.
func chDims(n int) map[string]string {
	var tuple, cand strings.Builder
	out := make([]string, attribution.MaxDimensions)
	for i := range out {
		out[i] = fmt.Sprintf("CAST(NULL AS Nullable(String)) AS dim%d", i+1)
		if i < n {
			fmt.Fprintf(&tuple, ", dim%d", i+1)
			fmt.Fprintf(&cand, ", arrayReduce('min', arrayMap(t -> tupleElement(t, %d), g))", 6+i)
			out[i] = fmt.Sprintf("tupleElement(c, %d) AS dim%d", 6+i, i+1)
		}
	}
	return map[string]string{"TupleDims": tuple.String(), "CandDims": cand.String(), "OutDims": strings.Join(out, ", ")}
}

// nextLengthPrefixed splits the first item off s, a list of items each
// written as its length in bytes (decimal), a space and the item
// (clickhouse/facts.sql's prospects); ok is false when s does not start
// with one. The item is a copy, so that a prospect kept does not keep the
// whole list.
func nextLengthPrefixed(s string) (item, rest string, ok bool) {
	sp := strings.IndexByte(s, ' ')
	if sp <= 0 {
		return "", s, false
	}
	n, err := strconv.Atoi(s[:sp])
	if err != nil || n < 0 || n > len(s)-sp-1 {
		return "", s, false
	}
	return strings.Clone(s[sp+1 : sp+1+n]), s[sp+1+n:], true
}
