package queries

import (
	"io/fs"
	"regexp"
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
