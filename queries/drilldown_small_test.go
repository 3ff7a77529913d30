package queries_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

// smallDrillDBs hold four users on both drivers: campaigns, sources, a
// country, a later duplicate registration with another campaign and
// country (which must not count) and two purchases.
func smallDrillDBs(t *testing.T) []edgeDB {
	t.Helper()
	sq, pg := openSQLiteAndPostgres(t, "drill.db")
	var out []edgeDB
	for _, e := range []struct {
		db     *sqlx.DB
		d      queries.Dialect
		ts, mo string
	}{{sq, queries.SQLite, "TEXT", "NUMERIC"}, {pg, queries.Postgres, "timestamptz", "numeric(12,2)"},
		{openMySQL(t), queries.MySQL, "timestamp NULL", "decimal(12,2)"}} {
		// MySQL reads no zone in a literal: the UTC instants, in the session zone UTC.
		values := func(r string) string {
			if e.d != queries.MySQL {
				return r
			}
			return strings.ReplaceAll(regexp.MustCompile(`(\d)T(\d)`).ReplaceAllString(r, "$1 $2"), "Z'", "'")
		}
		mustExec(t, e.db, fmt.Sprintf(`CREATE TABLE regs (uid bigint, at %s, ch text, camp text, src text, med text, ctry text)`, e.ts))
		mustExec(t, e.db, fmt.Sprintf(`CREATE TABLE pur (uid bigint, at %s, amount %s)`, e.ts, e.mo))
		for _, r := range []string{
			`(1, '2026-03-02T10:00:00Z', 'Search', 'Brand', 'google', 'cpc', 'DE')`,
			`(2, '2026-03-03T10:00:00Z', 'Search', 'Brand', 'google', 'cpc', 'AT')`,
			`(3, '2026-03-04T10:00:00Z', 'Search', NULL, 'google', 'cpc', 'DE')`,
			`(4, '2026-03-05T10:00:00Z', 'Email', 'News', 'newsletter', 'email', 'DE')`,
			`(4, '2026-03-06T10:00:00Z', 'Email', 'Other', 'newsletter', 'email', 'FR')`,
		} {
			mustExec(t, e.db, "INSERT INTO regs VALUES "+values(r))
		}
		mustExec(t, e.db, values(`INSERT INTO pur VALUES (1, '2026-03-03T10:00:00Z', 10.00), (3, '2026-03-04T11:00:00Z', 20.00)`))
		out = append(out, edgeDB{e.db, e.d, queries.Mapping{
			Registrations: queries.Source{Table: "regs", Columns: map[string]string{"user_id": "uid", "registered_at": "at", "channel": "ch",
				"campaign": "camp", "source": "src", "medium": "med"}, Dimensions: []string{"ctry"}},
			Purchases: queries.Source{Table: "pur", Columns: map[string]string{"user_id": "uid", "purchased_at": "at"}},
		}})
	}
	return out
}

func drillText(rows []attribution.DrillMetrics) string {
	var b []string
	for _, r := range rows {
		b = append(b, fmt.Sprintf("%s|%s|%d|%d|%s", r.Parent, r.Channel, r.Registrations, r.Customers, r.Revenue.Format(2)))
	}
	return strings.Join(b, "; ")
}

// The drill-down of four users computed by hand, on both drivers, with
// the registrations mapped from a table and, for the dimension, through
// sql =.
func TestDrilldownSmallByHand(t *testing.T) {
	p := mustPeriod(t, "2026-03-01", "2026-04-01")
	asOf := time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)
	for _, e := range smallDrillDBs(t) {
		t.Run(string(e.dialect), func(t *testing.T) {
			rep := runReport(t, e, p, "UTC", asOf)
			// Search: Brand u1 (bought 10.00) and u2; u3 without a campaign
			// (bought 20.00). Email: u4's first registration, News.
			if got, want := drillText(rep.Campaigns), "Search|Brand|2|1|10.00; Search|(no campaign)|1|1|20.00; Email|News|1|0|0.00"; got != want {
				t.Errorf("campaigns\n got %s\nwant %s", got, want)
			}
			if got, want := drillText(rep.Sources), "Search|google / cpc|3|2|30.00; Email|newsletter / email|1|0|0.00"; got != want {
				t.Errorf("sources\n got %s\nwant %s", got, want)
			}
			if len(rep.Dimensions) != 1 || rep.Dimensions[0].Name != "ctry" {
				t.Fatalf("dimensions %+v", rep.Dimensions)
			}
			// u4 declared DE first: FR, of the duplicate, does not count.
			if got, want := drillText(rep.Dimensions[0].Values), "|DE|3|2|30.00; |AT|1|0|0.00"; got != want {
				t.Errorf("ctry\n got %s\nwant %s", got, want)
			}
			if got, want := drillText(rep.Dimensions[0].ByChannel), "Search|DE|2|2|30.00; Search|AT|1|0|0.00; Email|DE|1|0|0.00"; got != want {
				t.Errorf("ctry by channel\n got %s\nwant %s", got, want)
			}
			// The same dimension through sql =.
			e.mapping.Registrations = queries.Source{Dimensions: []string{"ctry"},
				SQL: "SELECT uid AS user_id, at AS registered_at, ch AS channel, ctry FROM regs"}
			viaSQL := runReport(t, e, p, "UTC", asOf)
			if got, want := drillText(viaSQL.Dimensions[0].Values), "|DE|3|2|30.00; |AT|1|0|0.00"; got != want {
				t.Errorf("ctry through sql =\n got %s\nwant %s", got, want)
			}
		})
	}
}

// A declared dimension that the source does not have is a configuration
// error at check time naming it, for a table and for sql =.
func TestDrilldownUnknownDimension(t *testing.T) {
	for _, e := range smallDrillDBs(t) {
		for _, src := range []queries.Source{
			{Table: "regs", Columns: map[string]string{"user_id": "uid", "registered_at": "at", "channel": "ch"}, Dimensions: []string{"plan"}},
			{SQL: "SELECT uid AS user_id, at AS registered_at, ch AS channel FROM regs", Dimensions: []string{"plan"}},
		} {
			m := e.mapping
			m.Registrations = src
			_, err := queries.Reader{Dialect: e.dialect, Mapping: m}.Check(context.Background(), e.db)
			if err == nil || attribution.KindOf(err) != attribution.KindConfig || !strings.Contains(err.Error(), `dimensions names "plan"`) {
				t.Errorf("%s %s: err = %v, want a config error naming the dimension", e.dialect, src.Table+src.SQL, err)
			}
		}
		checks, err := queries.Reader{Dialect: e.dialect, Mapping: e.mapping}.Check(context.Background(), e.db)
		if err != nil || len(checks) == 0 || checks[0].Columns["dimensions"] != "ctry (text)" {
			t.Errorf("%s: check of the declared dimensions %v, %v", e.dialect, checks, err)
		}
		m := e.mapping
		m.Registrations.Dimensions = []string{"a", "b", "c", "d", "e"}
		if err := m.Registrations.Validate(queries.RegistrationsInput); err == nil || !strings.Contains(err.Error(), "at most 4") {
			t.Errorf("five dimensions: %v", err)
		}
	}
}
