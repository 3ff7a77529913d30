package queries_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

// smallDBs loads the same rows into a SQLite file and a PostgreSQL
// database: registrations (user_id, registered_at, channel, campaign),
// purchases and spend (date as PostgreSQL spendType).
func smallDBs(t *testing.T, regs [][4]any, spend [][3]any, spendType string) []edgeDB {
	t.Helper()
	sq, pg := openSQLiteAndPostgres(t, "small.db")
	my := openMySQL(t)
	// MySQL's TIMESTAMP is PostgreSQL's timestamptz: an instant.
	mySpendT := map[string]string{"timestamptz": "timestamp NULL"}[spendType]
	if mySpendT == "" {
		mySpendT = spendType
	}
	var out []edgeDB
	for _, c := range []struct {
		db                *sqlx.DB
		d                 queries.Dialect
		ts, money, spendT string
	}{{sq, queries.SQLite, "TEXT", "NUMERIC", "TEXT"}, {pg, queries.Postgres, "timestamptz", "numeric(20,2)", spendType},
		{my, queries.MySQL, "timestamp NULL", "decimal(20,2)", mySpendT}} {
		value := func(v any) any {
			if c.d == queries.MySQL {
				return mysqlTime(v)
			}
			return v
		}
		mustExec(t, c.db, fmt.Sprintf(`CREATE TABLE r (user_id bigint, registered_at %s, channel text, campaign text)`, c.ts))
		mustExec(t, c.db, fmt.Sprintf(`CREATE TABLE p (user_id bigint, purchased_at %s, amount %s)`, c.ts, c.money))
		mustExec(t, c.db, fmt.Sprintf(`CREATE TABLE s (date %s, channel text, amount %s)`, c.spendT, c.money))
		for _, r := range regs {
			if _, err := c.db.Exec(c.db.Rebind(`INSERT INTO r VALUES (?, ?, ?, ?)`), r[0], value(r[1]), r[2], r[3]); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range spend {
			if _, err := c.db.Exec(c.db.Rebind(`INSERT INTO s VALUES (?, ?, ?)`), value(s[0]), s[1], s[2]); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, edgeDB{db: c.db, dialect: c.d, mapping: queries.Mapping{
			Registrations: queries.Source{Table: "r", Columns: map[string]string{"campaign": "campaign"}},
			Purchases:     queries.Source{Table: "p"},
			Spend:         &queries.Source{Table: "s"},
		}})
	}
	return out
}

// Registrations of one user at the same instant: both drivers keep the
// same one, whatever the database's collation (docs/METRICS.md, "Ties"):
// a labelled channel before an empty or NULL one, then the channel, then
// the campaign, in byte order. Identical rows are one registration and a
// duplicate. Before the rule, SQLite put NULL first and PostgreSQL last,
// and PostgreSQL sorted by its collation ("alpha" before "Alpha").
func TestEqualEarliestRegistrationsPickTheSameChannel(t *testing.T) {
	at := "2026-03-01T10:00:00Z"
	regs := [][4]any{
		{1, at, nil, nil}, {1, at, "Zeta", nil}, // labelled before NULL
		{2, at, "", nil}, {2, at, "Beta", nil}, // labelled before empty
		{3, at, "Beta", nil}, {3, at, "Alpha", nil}, // by name
		{4, at, "alpha", nil}, {4, at, "Alpha", nil}, // byte order: "A" < "a"
		{5, at, "Beta", nil}, {5, at, "Beta", "spring"}, // campaign: labelled first
		{6, at, "Gamma", "x"}, {6, at, "Gamma", "x"}, // identical rows
		{7, "2026-03-01T09:00:00Z", nil, nil}, {7, at, "Alpha", nil}, // earlier wins, even unlabelled
	}
	want := "(none)=1 Alpha=2 Beta=2 Gamma=1 Zeta=1 duplicates=7"
	for _, e := range smallDBs(t, regs, nil, "date") {
		t.Run(string(e.dialect), func(t *testing.T) {
			rep := runReport(t, e, mustPeriod(t, "2026-03-01", "2026-03-02"), "UTC", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
			var got []string
			for _, m := range rep.Channels {
				got = append(got, fmt.Sprintf("%s=%d", m.Channel, m.Registrations))
			}
			sort.Strings(got)
			got = append(got, fmt.Sprintf("duplicates=%d", rep.Quality.DuplicateRegistrations))
			if strings.Join(got, " ") != want {
				t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
			}
			// The prospect list (same first registrations) has the
			// campaign of user 5's labelled row.
			for _, p := range rep.Prospects {
				if p.UserID == "5" && p.Campaign != "spring" {
					t.Errorf("user 5's campaign = %q, want spring", p.Campaign)
				}
			}
		})
	}
}

// A spend date stored with a UTC offset counts on its local date in the
// report's zone on both drivers (PostgreSQL casts a timestamptz in the
// session's zone; SQLite reads the offset): 23:30 UTC on 1 March is 2 March
// in Berlin. A plain date is the date it names. Before, SQLite took the
// UTC date.
func TestSpendDateWithOffsetLandsOnTheLocalDay(t *testing.T) {
	regs := [][4]any{{1, "2026-03-01T10:00:00Z", "Search", nil}}
	spend := [][3]any{
		{"2026-03-01T23:30:00+00:00", "Search", "10.00"},
		{"2026-03-02T00:30:00+01:00", "Search", "1.00"},
		{"2026-03-01", "Search", "5.00"},
	}
	for _, e := range smallDBs(t, regs, spend, "timestamptz") {
		t.Run(string(e.dialect), func(t *testing.T) {
			asOf := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
			for _, c := range []struct{ from, to, want string }{
				{"2026-03-01", "2026-03-02", "5.00"},
				{"2026-03-02", "2026-03-03", "11.00"},
			} {
				rep := runReport(t, e, mustPeriod(t, c.from, c.to), "Europe/Berlin", asOf)
				if got := rep.Total.Spend.Format(2); got != c.want {
					t.Errorf("spend of %s in Berlin = %s, want %s", c.from, got, c.want)
				}
			}
		})
	}
}

// Spend whose sum leaves the range Origen holds exactly (two rows of
// 900,000,000,000,000 each: 1.8e19 in 1/10000 units) is a data error on
// both drivers, never a wrapped negative number (before: −44,674,407,370,955.16).
func TestOverflowingSpendIsADataError(t *testing.T) {
	regs := [][4]any{{1, "2026-03-01T10:00:00Z", "Search", nil}}
	spend := [][3]any{{"2026-03-01", "Search", "900000000000000"}, {"2026-03-01", "Search", "900000000000000"}}
	for _, e := range smallDBs(t, regs, spend, "date") {
		t.Run(string(e.dialect), func(t *testing.T) {
			_, err := attribution.BuildReport(context.Background(), e.snapshot(t, "UTC"), attribution.ReportRequest{
				Period: mustPeriod(t, "2026-03-01", "2026-03-02"), AsOf: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
				Location: time.UTC, WindowDays: 30})
			if err == nil || attribution.KindOf(err) != attribution.KindData || !strings.Contains(err.Error(), "beyond what Origen holds") {
				t.Errorf("err = %v (kind %v), want a data error about the amounts", err, attribution.KindOf(err))
			}
		})
	}
}

// Spend dated after as-of's local date is not counted, with a note that
// says how much was left out (a month-to-date report on the 15th does not
// count the spend booked ahead for the 20th).
func TestSpendAfterAsOfIsNotCounted(t *testing.T) {
	regs := [][4]any{{1, "2026-03-01T10:00:00Z", "Search", nil}}
	spend := [][3]any{{"2026-03-10", "Search", "10.00"}, {"2026-03-15", "Search", "1.00"}, {"2026-03-20", "Search", "100.00"}}
	for _, e := range smallDBs(t, regs, spend, "date") {
		t.Run(string(e.dialect), func(t *testing.T) {
			rep := runReport(t, e, mustPeriod(t, "2026-03-01", "2026-04-01"), "UTC", time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
			if got := rep.Total.Spend.Format(2); got != "11.00" {
				t.Errorf("spend = %s, want 11.00 (the 20th is after as-of)", got)
			}
			found := false
			for _, n := range rep.Notes {
				found = found || strings.Contains(n, "1 spend rows dated after as-of (2026-03-15), 100.00")
			}
			if !found {
				t.Errorf("no note on the spend left out: %q", rep.Notes)
			}
		})
	}
}

// mysqlTime is an RFC 3339 time as MySQL reads a TIMESTAMP in the session
// zone, UTC (MariaDB ignores an offset in the text); other values as they are.
func mysqlTime(v any) any {
	str, ok := v.(string)
	if !ok {
		return v
	}
	if t, err := time.Parse(time.RFC3339, str); err == nil {
		return t.UTC().Format("2006-01-02 15:04:05")
	}
	return v
}
