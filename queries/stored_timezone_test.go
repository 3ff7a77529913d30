package queries_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

// [database] stored_timezone says how MySQL DATETIME values (no zone) are
// read; TIMESTAMP values are instants and ignore it. The same wall-clock
// registrations, in a UTC report of 1 March, belong to the period by the
// instant they stand for (METRICS.md, "Time").
func TestMySQLStoredTimezone(t *testing.T) {
	db := openMySQL(t)
	for _, typ := range []string{"datetime", "timestamp"} {
		for _, q := range []string{
			fmt.Sprintf(`CREATE TABLE regs_%s (user_id bigint, at %s NULL, channel varchar(20))`, typ, typ),
			fmt.Sprintf(`CREATE TABLE purs_%s (user_id bigint, at %s NULL, amount decimal(10,2))`, typ, typ),
			// Session zone UTC (mysqltest): TIMESTAMP values are these UTC instants.
			fmt.Sprintf(`INSERT INTO regs_%s VALUES (10, '2026-02-28 20:00:00', 'A'), (11, '2026-03-01 00:30:00', 'B'), (12, '2026-03-02 00:30:00', 'C')`, typ),
			fmt.Sprintf(`INSERT INTO purs_%s VALUES (11, '2026-03-01 00:40:00', 5.00)`, typ),
		} {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	march1 := attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 1}, To: attribution.Date{Year: 2026, Month: 3, Day: 2}}
	asOf := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		typ, stored, want string
	}{
		{"datetime", "UTC", "B:1/1"},          // the values are UTC
		{"datetime", "+01:00", "C:1/0"},       // 00:30 at +01:00 is 23:30 UTC the day before
		{"datetime", "-05:00", "B:1/1 A:1/0"}, // 20:00 on 28 Feb at -05:00 is 01:00 UTC on 1 March
		{"timestamp", "+01:00", "B:1/1"},      // instants: the stored zone does not apply
		{"timestamp", "-05:00", "B:1/1"},      //
	} {
		t.Run(tc.typ+"_"+tc.stored, func(t *testing.T) {
			m := queries.Mapping{
				Registrations: queries.Source{Table: "regs_" + tc.typ, Columns: map[string]string{"registered_at": "at"}},
				Purchases:     queries.Source{Table: "purs_" + tc.typ, Columns: map[string]string{"purchased_at": "at"}},
			}
			s, err := queries.Open(context.Background(), db, queries.SnapshotOptions{Dialect: queries.MySQL, Mapping: m,
				Timezone: "UTC", StoredTimezone: tc.stored, StatementTimeout: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			rep, err := attribution.BuildReport(context.Background(), s, attribution.ReportRequest{
				Period: march1, AsOf: asOf, Location: time.UTC, Timezone: "UTC", WindowDays: 30,
				Currency: attribution.Currency{Code: "EUR", Digits: 2}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range rep.Channels {
				if c.Registrations > 0 {
					got = append(got, fmt.Sprintf("%s:%d/%d", c.Channel, c.Registrations, c.Customers))
				}
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("channels %s, want %s", g, tc.want)
			}
		})
	}
	// A zone name needs the server's time zone tables: without them the
	// snapshot refuses it, naming the key, rather than reading NULLs.
	m := queries.Mapping{
		Registrations: queries.Source{Table: "regs_datetime", Columns: map[string]string{"registered_at": "at"}},
		Purchases:     queries.Source{Table: "purs_datetime", Columns: map[string]string{"purchased_at": "at"}},
	}
	var probe *string
	if err := db.QueryRow("SELECT CONVERT_TZ('2000-01-01 00:00:00', 'Europe/Berlin', '+00:00')").Scan(&probe); err != nil {
		t.Fatal(err)
	}
	s, err := queries.Open(context.Background(), db, queries.SnapshotOptions{Dialect: queries.MySQL, Mapping: m,
		Timezone: "UTC", StoredTimezone: "Europe/Berlin", StatementTimeout: time.Minute})
	switch {
	case probe == nil && (err == nil || !strings.Contains(err.Error(), `stored_timezone = "Europe/Berlin"`) || !strings.Contains(err.Error(), "time zone tables")):
		t.Errorf("a zone the server does not know: %v", err)
	case probe != nil && err != nil:
		t.Errorf("the server knows Europe/Berlin, yet: %v", err)
	}
	if err == nil {
		s.Close()
	}
}
