package queries

import (
	"slices"
	"strings"
)

// mysqlShared are the CTEs that mysqlShareCTEs makes MariaDB compute
// once, each read two or more times by its statement: facts' per-user
// facts, paths' conversions and path rows, and the purchases of LTV's
// customers. Not every CTE read twice gains: materializing one costs
// MariaDB more than computing it again when a reference can start from
// another table (LTV's 100,000 customers, origen_lu, read through
// origen_lp, which starts from the purchases). Measured in
// docs/PERFORMANCE.md ("MySQL and MariaDB"); TestMySQLShareCTEs fails when
// a statement no longer reads one of them twice.
var mysqlShared = []string{"origen_facts", "origen_conv", "origen_rows", "origen_lp"}

// mysqlShareCTEs makes every CTE of mysqlShared that an embedded
// statement reads more than once recursive in form - its body followed
// by `UNION ALL SELECT * FROM name WHERE 1 = 0`, which adds no row - so
// that MariaDB computes it once: MariaDB evaluates a non-recursive CTE
// once per reference (a CTE read by a CTE that is itself read twice
// counts twice), where PostgreSQL materializes one read more than once,
// but keeps one result table for a recursive CTE that all its references
// read. The statement keeps its meaning: the recursive part reads the
// CTE's own rows and selects none, so the result is the body's, with the
// body's column types (MySQL 8 and MariaDB type a recursive CTE by its
// non-recursive part). References are counted from the statement's last
// SELECT through the CTEs it reads, so a CTE read only by an unused one
// counts as unused. text is an embedded statement before its template
// runs: `{{...}}` actions are opaque, comments and quoted text skipped.
func mysqlShareCTEs(text string) string {
	with, ctes, ok := parseCTEs(text)
	if !ok {
		return text
	}
	// uses[i] counts the references to CTE i in the statement's main
	// query and in the bodies of the later CTEs that are themselves used
	// (a CTE can only read the ones before it).
	main := text[ctes[len(ctes)-1].end+1:]
	uses := make([]int, len(ctes))
	for i := len(ctes) - 1; i >= 0; i-- {
		uses[i] = countWord(main, ctes[i].name)
		for j := i + 1; j < len(ctes); j++ {
			if uses[j] > 0 {
				uses[i] += countWord(text[ctes[j].start:ctes[j].end], ctes[i].name)
			}
		}
	}
	var b strings.Builder
	last := 0
	shared := false
	for i, c := range ctes {
		body := text[c.start+1 : c.end]
		if uses[i] < 2 || countWord(body, c.name) > 0 || !slices.Contains(mysqlShared, c.name) {
			continue // read once, recursive already, or not worth it
		}
		b.WriteString(text[last:c.end])
		b.WriteString("\n  UNION ALL SELECT * FROM " + c.name + " WHERE 1 = 0\n")
		last = c.end
		shared = true
	}
	if !shared {
		return text
	}
	b.WriteString(text[last:])
	out := b.String()
	if !with.recursive {
		out = out[:with.end] + " RECURSIVE" + out[with.end:]
	}
	return out
}

// withClause is where a statement's top-level WITH keyword ends.
type withClause struct {
	end       int
	recursive bool
}

// cteSpan is one CTE: its name and the offsets of its body's parentheses.
type cteSpan struct {
	name       string
	start, end int
}

// parseCTEs reads the WITH list that starts the statement (after comments
// and white space): `WITH [RECURSIVE] name [(columns)] AS [{{...}}] (body), ...`.
// ok is false when the statement does not start so or does not parse.
func parseCTEs(q string) (withClause, []cteSpan, bool) {
	var w withClause
	i := skipSpace(q, 0)
	word, i := readWord(q, i)
	if !strings.EqualFold(word, "WITH") {
		return w, nil, false
	}
	w.end = i
	if next, j := readWord(q, skipSpace(q, i)); strings.EqualFold(next, "RECURSIVE") {
		w.recursive, i = true, j
	}
	var ctes []cteSpan
	for {
		i = skipSpace(q, i)
		if i < len(q) && q[i] == ',' { // a list that begins with an include's CTEs
			i = skipSpace(q, i+1)
		}
		name, j := readWord(q, i)
		if name == "" {
			return w, nil, false
		}
		i = skipSpace(q, j)
		if i < len(q) && q[i] == '(' { // column list
			end := closing(q, i)
			if end < 0 {
				return w, nil, false
			}
			i = skipSpace(q, end+1)
		}
		as, j := readWord(q, i)
		if !strings.EqualFold(as, "AS") {
			return w, nil, false
		}
		i = skipSpace(q, j)
		if i >= len(q) || q[i] != '(' {
			return w, nil, false
		}
		end := closing(q, i)
		if end < 0 {
			return w, nil, false
		}
		ctes = append(ctes, cteSpan{name: name, start: i, end: end})
		i = skipSpace(q, end+1)
		if i >= len(q) || q[i] != ',' {
			return w, ctes, len(ctes) > 0
		}
		i++
	}
}

// skipSpace skips white space, -- comments and {{...}} template actions
// from i.
func skipSpace(q string, i int) int {
	for i < len(q) {
		switch {
		case q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r':
			i++
		case strings.HasPrefix(q[i:], "--") || strings.HasPrefix(q[i:], "{{"):
			i = opaqueEnd(q, i)
		default:
			return i
		}
	}
	return i
}

func lineEnd(q string, i int) int {
	if e := strings.IndexByte(q[i:], '\n'); e >= 0 {
		return i + e + 1
	}
	return len(q)
}

func wordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// readWord reads the identifier or keyword at i.
func readWord(q string, i int) (string, int) {
	j := i
	for j < len(q) && wordByte(q[j]) {
		j++
	}
	return q[i:j], j
}

// closing is the offset of the parenthesis that closes the one at open,
// -1 if none; quoted text, comments and template actions are skipped.
func closing(q string, open int) int {
	depth := 0
	for i := open; i < len(q); {
		if j := opaqueEnd(q, i); j > i {
			i = j
			continue
		}
		switch q[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return -1
}

// opaqueEnd is the offset after the quoted text, -- comment or {{...}}
// template action that starts at i (len(q) if it does not end), or i
// when none starts there.
func opaqueEnd(q string, i int) int {
	switch {
	case q[i] == '\'' || q[i] == '"' || q[i] == '`':
		return quoteEnd(q, i)
	case strings.HasPrefix(q[i:], "--"):
		return lineEnd(q, i)
	case strings.HasPrefix(q[i:], "{{"):
		if e := strings.Index(q[i:], "}}"); e >= 0 {
			return i + e + 2
		}
		return len(q)
	}
	return i
}

// quoteEnd is the offset after the quoted text that starts at i (a
// doubled quote stays inside it).
func quoteEnd(q string, i int) int {
	quote := q[i]
	for j := i + 1; j < len(q); j++ {
		if q[j] == quote {
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

// countWord counts the occurrences of the identifier name in q as a whole
// word, outside comments and quoted text.
func countWord(q, name string) int {
	n := 0
	for i := 0; i < len(q); {
		if j := opaqueEnd(q, i); j > i {
			i = j
			continue
		}
		if !wordByte(q[i]) {
			i++
			continue
		}
		w, j := readWord(q, i)
		if strings.EqualFold(w, name) {
			n++
		}
		i = j
	}
	return n
}

// mysqlBigResult adds SQL_BIG_RESULT to every SELECT of text that groups
// by the user first (GROUP BY uid, x.uid or user_id): such a grouping has
// about as many groups as rows, which MariaDB otherwise collects in a
// temporary table keyed on every GROUP BY column, three times slower than
// sorting the rows (measured in docs/PERFORMANCE.md, "MySQL and
// MariaDB"). The hint changes how rows are grouped, not which.
func mysqlBigResult(text string) string {
	var selects []int // offset after the last SELECT keyword, per depth
	var inserts []int
	depth := 0
	at := func(d int) *int {
		for len(selects) <= d {
			selects = append(selects, -1)
		}
		return &selects[d]
	}
	for i := 0; i < len(text); {
		if j := opaqueEnd(text, i); j > i {
			i = j
			continue
		}
		switch c := text[i]; {
		case c == '(':
			depth++
			*at(depth) = -1
			i++
		case c == ')':
			depth--
			i++
		case wordByte(c):
			w, j := readWord(text, i)
			switch {
			case strings.EqualFold(w, "SELECT"):
				*at(depth) = j
			case strings.EqualFold(w, "GROUP"):
				by, k := readWord(text, skipSpace(text, j))
				key, k := readWord(text, skipSpace(text, k))
				if k < len(text) && text[k] == '.' {
					key, _ = readWord(text, k+1)
				}
				if strings.EqualFold(by, "BY") && (key == "uid" || key == "user_id") && *at(depth) >= 0 {
					inserts = append(inserts, *at(depth))
					*at(depth) = -1
				}
			}
			i = j
		default:
			i++
		}
	}
	if len(inserts) == 0 {
		return text
	}
	slices.Sort(inserts)
	var b strings.Builder
	last := 0
	for _, p := range inserts {
		b.WriteString(text[last:p])
		b.WriteString(" SQL_BIG_RESULT")
		last = p
	}
	b.WriteString(text[last:])
	return b.String()
}
