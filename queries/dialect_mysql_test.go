package queries

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Every embedded statement, rewritten for MySQL, keeps none of the
// PostgreSQL-only spellings that mysqlSQL is meant to remove, and the
// rewrites do what they say on a hand-written example.
func TestMySQLRewrites(t *testing.T) {
	got := mysqlSQL("SELECT CAST(:a AS bigint), CAST(NULL AS TEXT), (x - y) / 86400000000, " +
		"string_agg(CAST((e - o) / 7 AS CHAR), ',' ORDER BY o, c) AS d")
	want := "SELECT CAST(:a AS SIGNED), CAST(NULL AS CHAR), (x - y) DIV 86400000000, " +
		"GROUP_CONCAT(CAST((e - o) DIV 7 AS CHAR) ORDER BY o, c SEPARATOR ',') AS d"
	if got != want {
		t.Errorf("mysqlSQL:\n got %s\nwant %s", got, want)
	}
	left := regexp.MustCompile(`(?i)string_agg|::|\bchr\(|COLLATE "C"|date_part|AS bigint\)|AS text\)| / |\bILIKE\b|NULLS (FIRST|LAST)|FILTER \(`)
	files, err := fs.Glob(sqlFiles, "sql/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "sql/"), ".sql")
		if strings.HasSuffix(name, ".inc") || name == "role_privileges" || name == "table_privileges" {
			continue // included by the others; PostgreSQL's catalog queries
		}
		text, err := readSQL(name)
		if err != nil {
			t.Fatal(err)
		}
		var code []string
		for _, l := range strings.Split(mysqlSQL(text), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "--") {
				code = append(code, l)
			}
		}
		if m := left.FindString(strings.Join(code, "\n")); m != "" {
			t.Errorf("%s keeps %q after the MySQL rewrites", name, m)
		}
	}
}

// The stored zone reads as the server does: names, UTC and fixed offsets.
func TestParseStoredZone(t *testing.T) {
	for _, tc := range []struct {
		in      string
		offset  int // seconds east of UTC in January 2026
		wantErr bool
	}{
		{"", 0, false}, {"UTC", 0, false}, {"+01:00", 3600, false}, {"-05:30", -19800, false},
		{"Europe/Berlin", 3600, false}, {"Mars/Olympus", 0, true}, {"+1:00", 0, true}, {"+25:00", 0, true},
	} {
		loc, err := ParseStoredZone(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: error %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), "stored_timezone") {
				t.Errorf("%q: error %q does not name the key", tc.in, err)
			}
			continue
		}
		_, off := timeJan2026.In(loc).Zone()
		if off != tc.offset {
			t.Errorf("%q: offset %d, want %d", tc.in, off, tc.offset)
		}
	}
}

var timeJan2026 = mustTime("2026-01-15T12:00:00Z")

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestMySQLSupportedVersions(t *testing.T) {
	for _, tc := range []struct {
		version string
		mariaDB bool
		want    bool
	}{
		{"8.0.36", false, true}, {"8.4.0-commercial", false, true}, {"9.1.0", false, true}, {"5.7.44-log", false, false},
		{"10.11.19-MariaDB-0+deb12u1", true, true}, {"10.5.1-MariaDB", true, true}, {"11.4.2-MariaDB", true, true},
		{"10.4.30-MariaDB", true, false}, {"10.3.39-MariaDB", true, false}, {"weird", false, true},
	} {
		if got := mysqlSupported(tc.version, tc.mariaDB); got != tc.want {
			t.Errorf("%s: supported = %v, want %v", tc.version, got, tc.want)
		}
	}
}

// A CTE of mysqlShared read twice becomes recursive in form, the WITH
// RECURSIVE; one read once, only by an unused CTE, or recursive already
// stays as written, and comments, quoted text and template actions are
// not read as SQL.
func TestMySQLShareCTEs(t *testing.T) {
	const shared = "\n  UNION ALL SELECT * FROM origen_facts WHERE 1 = 0\n"
	for _, tc := range []struct{ name, in, want string }{
		{"read twice",
			"WITH\n-- origen_facts (counted) 'x\n{{.KeyedCTEs}}origen_a AS {{.Materialized}}(SELECT 1 AS x),\norigen_facts AS (SELECT x, ')' AS p FROM origen_a -- origen_facts )\n),\norigen_b (y) AS (SELECT x FROM origen_facts)\nSELECT * FROM origen_facts JOIN origen_b ON y = x",
			"WITH RECURSIVE\n-- origen_facts (counted) 'x\n{{.KeyedCTEs}}origen_a AS {{.Materialized}}(SELECT 1 AS x),\norigen_facts AS (SELECT x, ')' AS p FROM origen_a -- origen_facts )\n" + shared + "),\norigen_b (y) AS (SELECT x FROM origen_facts)\nSELECT * FROM origen_facts JOIN origen_b ON y = x"},
		{"read once",
			"WITH origen_facts AS (SELECT 1 AS x), origen_b AS (SELECT x FROM origen_facts) SELECT * FROM origen_b",
			"WITH origen_facts AS (SELECT 1 AS x), origen_b AS (SELECT x FROM origen_facts) SELECT * FROM origen_b"},
		{"read twice by an unused CTE",
			"WITH origen_facts AS (SELECT 1 AS x), origen_b AS (SELECT * FROM origen_facts, origen_facts AS f2) SELECT 1",
			"WITH origen_facts AS (SELECT 1 AS x), origen_b AS (SELECT * FROM origen_facts, origen_facts AS f2) SELECT 1"},
		{"not in mysqlShared",
			"WITH origen_other AS (SELECT 1 AS x) SELECT * FROM origen_other, origen_other AS o2",
			"WITH origen_other AS (SELECT 1 AS x) SELECT * FROM origen_other, origen_other AS o2"},
		{"recursive already",
			"WITH RECURSIVE origen_facts AS (SELECT 1 AS x UNION ALL SELECT x + 1 FROM origen_facts WHERE x < 3) SELECT * FROM origen_facts, origen_facts AS f2",
			"WITH RECURSIVE origen_facts AS (SELECT 1 AS x UNION ALL SELECT x + 1 FROM origen_facts WHERE x < 3) SELECT * FROM origen_facts, origen_facts AS f2"},
		{"no WITH", "SELECT 1 FROM origen_facts, origen_facts AS f2", "SELECT 1 FROM origen_facts, origen_facts AS f2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mysqlShareCTEs(tc.in); got != tc.want {
				t.Errorf("mysqlShareCTEs:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
	// Every name of mysqlShared is shared in some embedded statement: a
	// renamed or no longer doubly read CTE fails here rather than making
	// MariaDB slow without a word.
	files, err := fs.Glob(sqlFiles, "sql/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range mysqlShared {
		found := false
		for _, f := range files {
			text, err := readSQL(strings.TrimSuffix(strings.TrimPrefix(f, "sql/"), ".sql"))
			if err != nil {
				t.Fatal(err)
			}
			found = found || strings.Contains(mysqlSQL(text), "UNION ALL SELECT * FROM "+name+" WHERE 1 = 0")
		}
		if !found {
			t.Errorf("mysqlShared names %s, which no embedded statement reads twice", name)
		}
	}
}

// SQL_BIG_RESULT goes to the SELECT of each query block that groups by
// the user first, at any depth, and nowhere else.
func TestMySQLBigResult(t *testing.T) {
	in := "WITH a AS (SELECT r.uid, COUNT(*) FROM t AS r GROUP BY r.uid, r.x),\n" +
		"b AS (SELECT channel, COUNT(*) FROM (SELECT user_id, 'GROUP BY uid' AS s FROM a GROUP BY user_id) AS u GROUP BY channel)\n" +
		"-- SELECT ... GROUP BY uid\nSELECT uid FROM b UNION ALL SELECT uid FROM c GROUP BY uid"
	want := "WITH a AS (SELECT SQL_BIG_RESULT r.uid, COUNT(*) FROM t AS r GROUP BY r.uid, r.x),\n" +
		"b AS (SELECT channel, COUNT(*) FROM (SELECT SQL_BIG_RESULT user_id, 'GROUP BY uid' AS s FROM a GROUP BY user_id) AS u GROUP BY channel)\n" +
		"-- SELECT ... GROUP BY uid\nSELECT uid FROM b UNION ALL SELECT SQL_BIG_RESULT uid FROM c GROUP BY uid"
	if got := mysqlBigResult(in); got != want {
		t.Errorf("mysqlBigResult:\n got %q\nwant %q", got, want)
	}
}

// SHOW GRANTS lines become write privileges on a scope; lines that grant
// no write privilege on a table, a database or everything are skipped.
func TestParseMySQLGrant(t *testing.T) {
	for _, tc := range []struct {
		line string
		want *mysqlGrant
	}{
		{"GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION",
			&mysqlGrant{privileges: mysqlWrites, global: true}},
		{`GRANT SELECT, INSERT, DELETE ON "shop"."purchases" TO "writer"`,
			&mysqlGrant{privileges: []string{"INSERT", "DELETE"}, db: "shop", table: "purchases"}},
		{"GRANT SELECT, UPDATE (`amount`, `a, b`) ON `my\\_shop`.* TO `r`",
			&mysqlGrant{privileges: []string{"UPDATE"}, db: `my\_shop`}},
		{"GRANT DROP ON TABLE `a``b`.`t ON x` TO 'u'@'%'",
			&mysqlGrant{privileges: []string{"DROP"}, db: "a`b", table: "t ON x"}},
		{"GRANT SELECT ON `shop`.* TO `origen_ro`@`%`", nil},
		{"GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*D8'", nil},
		{"GRANT `writer` TO `u`@`%`", nil},
		{"GRANT EXECUTE, ALTER ROUTINE ON PROCEDURE `shop`.`p` TO `u`@`%`", nil},
		{"GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION", nil},
		{"SET DEFAULT ROLE `writer` FOR `u`@`%`", nil},
	} {
		got, ok := parseMySQLGrant(tc.line)
		if tc.want == nil {
			if ok {
				t.Errorf("%s: got %+v, want it skipped", tc.line, got)
			}
			continue
		}
		if !ok || !slices.Equal(got.privileges, tc.want.privileges) || got.db != tc.want.db || got.table != tc.want.table || got.global != tc.want.global {
			t.Errorf("%s: got %+v (%v), want %+v", tc.line, got, ok, *tc.want)
		}
	}
	for _, tc := range []struct {
		name, pattern string
		want          bool
	}{
		{"shop", "shop", true}, {"shop", "sho", false}, {"my_shop", `my\_shop`, true}, {"myxshop", `my\_shop`, false},
		{"myxshop", "my_shop", true}, {"shop_2026", "shop%", true}, {"shop", "%", true}, {"", "%", true}, {"ashop", "shop%", false},
	} {
		if got := mysqlLike(tc.name, tc.pattern); got != tc.want {
			t.Errorf("mysqlLike(%q, %q) = %v, want %v", tc.name, tc.pattern, got, tc.want)
		}
	}
}
