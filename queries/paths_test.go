package queries_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

type touch struct {
	user    any
	at      string
	channel any
}

// A hand-made cohort of 1 March 2026 (UTC) with touchpoints; every path
// below is worked out by hand from docs/MULTITOUCH.md, "Paths".
var (
	touchRegs = []reg{
		{1, "2026-03-01 10:00:00", "Search"},   // buys 5 March 10:00, 140
		{2, "2026-03-01 11:00:00", "Email"},    // never buys
		{3, "2026-03-01 12:00:00", " Social "}, // buys, no touchpoint: its own channel
		{4, "2026-03-01 13:00:00", nil},        // never buys, no touchpoint: (none)
		{5, "2026-03-01 14:00:00", "Search"},   // buys 2 March 14:00, 140
		{6, "2026-03-01 15:00:00", "Search"},   // bought before: existing customer, left out
		{7, "2026-03-02 09:00:00", "Search"},   // after the period
		{8, "2026-03-01 16:00:00", "Search"},   // never buys, one touch without channel
	}
	touchPurs = []pur{
		{1, "2026-03-05 10:00:00", "140.00"},
		{3, "2026-03-03 12:00:00", "50.00"},
		{5, "2026-03-02 14:00:00", "140.00"},
		{6, "2026-02-01 10:00:00", "10.00"},
		{7, "2026-03-03 10:00:00", "99.00"},
	}
	touchRows = []touch{
		{1, "2026-01-01 00:00:00", "Display"},        // 63 days before buying: outside the lookback
		{1, "2026-02-20 00:00:00", "Direct"},         // 13 d 10 h before
		{1, "2026-03-02 00:00:00", "Organic Search"}, // 3 d 10 h before
		{1, "2026-03-05 09:00:00", "Direct"},         // 1 h before
		{1, "2026-03-06 00:00:00", "Email"},          // after buying
		{2, "2026-03-10 00:00:00", "Email"},          // same instant: Display first (byte order)
		{2, "2026-03-10 00:00:00", "Display"},
		{2, "2026-04-20 00:00:00", "Search"}, // after its window and as_of
		{5, "2026-02-28 00:00:00", "Direct"}, // 2 d 14 h before
		{5, "2026-03-01 00:00:00", "Organic Search"},
		{5, "2026-03-02 14:00:00", "Direct"}, // at the purchase: counts
		{6, "2026-03-01 00:00:00", "Email"},
		{7, "2026-03-01 00:00:00", "Email"},
		{8, "2026-03-05 00:00:00", nil},
		{nil, "2026-03-05 00:00:00", "Email"},
	}
	touchAsOf  = time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)
	touchMarch = attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 1}, To: attribution.Date{Year: 2026, Month: 3, Day: 2}}
)

func openTouchDBs(t *testing.T) []edgeDB {
	t.Helper()
	sq, pg := openSQLiteAndPostgres(t, "touch.db")
	return []edgeDB{loadTouch(t, sq, queries.SQLite), loadTouch(t, pg, queries.Postgres), loadTouch(t, openMySQL(t), queries.MySQL)}
}

func loadTouch(t *testing.T, db *sqlx.DB, d queries.Dialect) edgeDB {
	t.Helper()
	ts, money := "TEXT", "numeric"
	switch d {
	case queries.Postgres:
		ts = "timestamp"
	case queries.MySQL:
		ts, money = "datetime", "decimal(12,2)" // MySQL's bare numeric has no decimals
	}
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE regs (uid bigint, at %s, ch text)`, ts))
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE purs (uid bigint, at %s, amount %s)`, ts, money))
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE "Touch Points" (visitor bigint, "When" %s, utm text)`, ts))
	ins := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(db.Rebind(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, r := range touchRegs {
		ins(`INSERT INTO regs VALUES (?, ?, ?)`, r.user, r.at, r.channel)
	}
	for _, p := range touchPurs {
		ins(`INSERT INTO purs VALUES (?, ?, ?)`, p.user, p.at, p.amount)
	}
	for _, r := range touchRows {
		ins(`INSERT INTO "Touch Points" VALUES (?, ?, ?)`, r.user, r.at, r.channel)
	}
	return edgeDB{db: db, dialect: d, mapping: queries.Mapping{
		Registrations: queries.Source{Table: "regs", Columns: map[string]string{"user_id": "uid", "registered_at": "at", "channel": "ch"}},
		Purchases:     queries.Source{Table: "purs", Columns: map[string]string{"user_id": "uid", "purchased_at": "at"}},
		Touchpoints: &queries.Source{Table: "Touch Points", Columns: map[string]string{
			"user_id": "visitor", "occurred_at": "When", "channel": "utm"}},
	}}
}

func readPathRows(t *testing.T, e edgeDB, req attribution.PathsRequest) []string {
	t.Helper()
	var out []string
	err := e.snapshot(t, "UTC").ReadPaths(context.Background(), req, func(r attribution.PathRow) error {
		path := strings.Join(r.Channels, " > ")
		switch {
		case r.TouchCount:
			out = append(out, fmt.Sprintf("touches %q %d", r.Channels[0], r.Touches))
			return nil
		case !r.Touched:
			path = fmt.Sprintf("reg %q valid=%v", r.RegChannel, r.RegChannelValid)
		}
		line := fmt.Sprintf("%s days=%v conv=%d non=%d rev=%s", path, r.Days, r.Conversions, r.NonConversions, r.Revenue.Format(2))
		if r.First {
			line += fmt.Sprintf(" path=%d/%d/%s", r.PathConversions, r.PathNonConversions, r.PathRevenue.Format(2))
		}
		out = append(out, line)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", e.dialect, err)
	}
	return out
}

// paths.sql gives the hand-computed paths on both drivers, most followed
// first, and the pipeline's multi-touch totals equal the report's.
func TestPathsByHand(t *testing.T) {
	// The touch counts (users x occurrences over the touched paths) first,
	// then the users without touch, then the touched paths, most followed
	// first; the first row of each path carries its totals over its rows.
	want := []string{
		"touches \"Direct\" 4", // u1 and u5, twice each
		"touches \"Organic Search\" 2",
		"touches \"\" 1", // u8's touch without channel
		"touches \"Display\" 1",
		"touches \"Email\" 1",
		// Users without touch: NULL before " Social ".
		`reg "" valid=false days=[] conv=0 non=1 rev=0.00 path=0/1/0.00`,
		`reg " Social " valid=true days=[] conv=1 non=0 rev=50.00 path=1/0/50.00`,
		// u1 and u5, with different timings (whole days to the purchase).
		"Direct > Organic Search > Direct days=[13 3 0] conv=1 non=0 rev=140.00 path=2/0/280.00",
		"Direct > Organic Search > Direct days=[2 1 0] conv=1 non=0 rev=140.00",
		// u8's touch without channel (the empty label), then u2.
		" days=[] conv=0 non=1 rev=0.00 path=0/1/0.00",
		"Display > Email days=[] conv=0 non=1 rev=0.00 path=0/1/0.00",
	}
	req := attribution.PathsRequest{Period: touchMarch, AsOf: touchAsOf, WindowDays: 30, LookbackDays: 30}
	// Named by Labels, the database aggregates by channel: Organic Search
	// and Display are both "Search", so u2's path is Search > Email and
	// Search has 3 touches.
	named := req
	named.Labels = map[string]string{"Direct": "Direct", "Organic Search": "Search", "Display": "Search", "Email": "Email", "": "(none)"}
	wantNamed := []string{
		"touches \"Direct\" 4",
		"touches \"Search\" 3",
		"touches \"(none)\" 1",
		"touches \"Email\" 1",
		`reg "" valid=false days=[] conv=0 non=1 rev=0.00 path=0/1/0.00`,
		`reg " Social " valid=true days=[] conv=1 non=0 rev=50.00 path=1/0/50.00`,
		"Direct > Search > Direct days=[13 3 0] conv=1 non=0 rev=140.00 path=2/0/280.00",
		"Direct > Search > Direct days=[2 1 0] conv=1 non=0 rev=140.00",
		"(none) days=[] conv=0 non=1 rev=0.00 path=0/1/0.00",
		"Search > Email days=[] conv=0 non=1 rev=0.00 path=0/1/0.00",
	}
	byReg := req
	byReg.ByRegistration = true
	// Registration as the conversion: touches up to 30 days before
	// registering. u1: Direct 9 d 10 h before; u5: Direct 1 d 14 h and
	// Organic Search 14 h before; u2 and u8 have no touch before.
	// One user per path: users without touch first, then by label.
	wantByReg := []string{
		"touches \"Direct\" 2",
		"touches \"Organic Search\" 1",
		`reg "" valid=false days=[] conv=1 non=0 rev=0.00 path=1/0/0.00`,
		`reg " Social " valid=true days=[] conv=1 non=0 rev=50.00 path=1/0/50.00`,
		`reg "Email" valid=true days=[] conv=1 non=0 rev=0.00 path=1/0/0.00`,
		`reg "Search" valid=true days=[] conv=1 non=0 rev=0.00 path=1/0/0.00`,
		"Direct days=[9] conv=1 non=0 rev=140.00 path=1/0/140.00",
		"Direct > Organic Search days=[1 0] conv=1 non=0 rev=140.00 path=1/0/140.00",
	}
	for _, e := range openTouchDBs(t) {
		t.Run(string(e.dialect), func(t *testing.T) {
			if got := readPathRows(t, e, req); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("paths:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if got := readPathRows(t, e, named); strings.Join(got, "\n") != strings.Join(wantNamed, "\n") {
				t.Errorf("paths named:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantNamed, "\n"))
			}
			if got := readPathRows(t, e, byReg); strings.Join(got, "\n") != strings.Join(wantByReg, "\n") {
				t.Errorf("paths by registration:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantByReg, "\n"))
			}
			snap := e.snapshot(t, "UTC")
			rep, err := attribution.BuildReport(context.Background(), snap, attribution.ReportRequest{
				Period: touchMarch, AsOf: touchAsOf, Location: time.UTC, Timezone: "UTC", WindowDays: 30,
				Currency: attribution.Currency{Code: "EUR", Digits: 2}})
			if err != nil {
				t.Fatal(err)
			}
			mt := rep.MultiTouch
			if mt == nil {
				t.Fatal("no multi-touch section")
			}
			if mt.Conversions != 3 || rep.Total.Customers != 3 || mt.Revenue != 330*attribution.MoneyScale || mt.Paths != 4 || mt.ConvertingPaths != 2 {
				t.Errorf("conversions %d, revenue %s, %d paths (%d converting); report %d customers", mt.Conversions, mt.Revenue, mt.Paths, mt.ConvertingPaths, rep.Total.Customers)
			}
			// (4 paths: u4's NULL registration channel and u8's touch without
			// channel are both "(none)".) Position-based: Direct 0.8 of each path's conversion and 112 of
			// its 140; Social its own 1 and 50.
			pb, _ := mt.Model(attribution.ModelPositionBased)
			if d := pb.Channel("Direct"); d.Revenue != 224*attribution.MoneyScale || d.Conversions < 1.6-1e-9 || d.Conversions > 1.6+1e-9 {
				t.Errorf("position-based Direct %+v", d)
			}
			if s := pb.Channel("Social"); s.Revenue != 50*attribution.MoneyScale || s.Conversions != 1 {
				t.Errorf("position-based Social %+v", s)
			}
			if len(mt.Models) != len(attribution.TouchModels) {
				t.Errorf("%d models", len(mt.Models))
			}
			// max_paths no longer caps anything: the paths stream into
			// accumulators whose memory follows the channels, so max_paths = 2
			// gives the same section, without a note.
			few, err := attribution.BuildReport(context.Background(), e.snapshot(t, "UTC"), attribution.ReportRequest{
				Period: touchMarch, AsOf: touchAsOf, Location: time.UTC, Timezone: "UTC", WindowDays: 30,
				Currency: attribution.Currency{Code: "EUR", Digits: 2}, Touch: attribution.TouchSettings{MaxPaths: 2}})
			if err != nil {
				t.Fatal(err)
			}
			if m := few.MultiTouch; m.Paths != mt.Paths || len(m.Notes) != 0 || fmt.Sprint(m.Models) != fmt.Sprint(mt.Models) || fmt.Sprint(m.TopPaths) != fmt.Sprint(mt.TopPaths) {
				t.Errorf("max_paths 2: %d paths, notes %q", m.Paths, m.Notes)
			}
			// The Paths sheet's rows: u4's NULL registration channel and u8's
			// touch without channel are the one path "(none)".
			if got := fmt.Sprint(mt.TopPaths); got != "[{Direct > Organic Search > Direct 2 0 280.0000} {(none) 0 2 0.0000} {Social 1 0 50.0000} {Display > Email 0 1 0.0000}]" {
				t.Errorf("top paths %s", got)
			}
			var names []string
			for _, st := range snap.Statements() {
				names = append(names, st.Name)
			}
			if !strings.Contains(strings.Join(names, ","), "touch_channels,paths") {
				t.Errorf("statements %v: no paths", names)
			}
		})
	}
}

// On generated data with touchpoints, every model's channel credits add up
// to the report's customers (to float rounding) and revenue (exactly), on
// both drivers, and both drivers give the same credits.
func TestMultiTouchReconcilesOnGeneratedData(t *testing.T) {
	dbs := generated(t, smallConfig(13))
	loc := location(t, "Europe/Berlin")
	october := attribution.Period{From: attribution.Date{Year: 2026, Month: 10, Day: 1}, To: attribution.Date{Year: 2026, Month: 11, Day: 1}}
	var prints []string
	for _, e := range dbs {
		prefix := strings.TrimSuffix(e.mapping.Registrations.Table, "registrations")
		e.mapping.Touchpoints = &queries.Source{Table: prefix + "touchpoints"}
		for _, order := range []int{1, 3} {
			rep, err := attribution.BuildReport(context.Background(), e.snapshot(t, "Europe/Berlin"), attribution.ReportRequest{
				Period: october, AsOf: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Location: loc, Timezone: "Europe/Berlin",
				WindowDays: 30, Currency: attribution.Currency{Code: "EUR", Digits: 2}, TopProspects: -1,
				Touch: attribution.TouchSettings{MarkovOrder: order}})
			if err != nil {
				t.Fatalf("%s: %v", e.dialect, err)
			}
			mt := rep.MultiTouch
			if mt == nil || mt.Conversions != rep.Total.Customers || mt.Revenue != rep.Total.Revenue || rep.Total.Customers < 30 || mt.Paths < 50 {
				t.Fatalf("%s: multi-touch section %v, report %d customers", e.dialect, mt != nil, rep.Total.Customers)
			}
			var b strings.Builder
			for _, m := range mt.Models {
				var conv float64
				var rev attribution.Money
				for _, c := range m.Channels {
					conv += c.Conversions
					rev += c.Revenue
					fmt.Fprintf(&b, "%s %s %.9f %s\n", m.Model, c.Channel, c.Conversions, c.Revenue)
				}
				if d := conv - float64(rep.Total.Customers); d > 1e-6 || d < -1e-6 || rev != rep.Total.Revenue {
					t.Errorf("%s order %d %s: %v conversions, %s revenue; report %d, %s", e.dialect, order, m.Model, conv, rev, rep.Total.Customers, rep.Total.Revenue)
				}
			}
			prints = append(prints, b.String())
			t.Logf("%s order %d: %d customers, %d paths (%d converting), %d Markov states", e.dialect, order, rep.Total.Customers, mt.Paths, mt.ConvertingPaths, mt.Markov.States)
		}
	}
	if prints[0] != prints[2] || prints[1] != prints[3] {
		t.Errorf("the drivers' credits differ:\nsqlite\n%s\npostgres\n%s", prints[0], prints[2])
	}
}

// A touch label that is not valid UTF-8 (SQLite keeps its bytes) does not
// survive the JSON parameter of names: the database keeps the raw label
// and Origen names it, so the report still reads and reconciles.
func TestPathsWithALabelNotUTF8(t *testing.T) {
	db, err := sqlx.Open("sqlite", filepath.Join(t.TempDir(), "touch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := loadTouch(t, db, queries.SQLite)
	if _, err := db.Exec(`INSERT INTO "Touch Points" VALUES (2, '2026-03-09 00:00:00', ?)`, " Promo\xff "); err != nil {
		t.Fatal(err)
	}
	rep, err := attribution.BuildReport(context.Background(), e.snapshot(t, "UTC"), attribution.ReportRequest{
		Period: touchMarch, AsOf: touchAsOf, Location: time.UTC, Timezone: "UTC", WindowDays: 30,
		Currency: attribution.Currency{Code: "EUR", Digits: 2}})
	if err != nil {
		t.Fatal(err)
	}
	mt := rep.MultiTouch
	// u2's path: Promo\xff (trimmed) the day before Display > Email.
	var found bool
	for _, p := range mt.TopPaths {
		found = found || p.Path == "Promo\xff > Display > Email"
	}
	if !found || mt.Paths != 4 || mt.Conversions != 3 {
		t.Errorf("%d paths, %d conversions, top %v", mt.Paths, mt.Conversions, mt.TopPaths)
	}
}

// The touchpoints' filters on their stored occurred_at keep the touches
// at both ends of the range, whatever the column's type: a touch exactly
// the lookback before a path's end (the period's start, when the
// registration converts) and one exactly at as_of are in the paths and
// in touch_channels, the touches a microsecond-less day outside are not.
// Paths by registration, lookback 30 days; user 1 registers at the
// period's start, user 2 at as_of.
func TestTouchpointsAtTheEndsOfTheRange(t *testing.T) {
	sq, pg := openSQLiteAndPostgres(t, "ends.db")
	my := openMySQL(t)
	touches := []struct {
		user    int
		at, utm string
	}{
		{1, "2026-01-29 00:00:00", "TooEarly"}, {1, "2026-01-30 00:00:00", "Early"}, {1, "2026-03-01 00:00:00", "Start"},
		{2, "2026-03-10 00:00:00", "AsOf"}, {2, "2026-03-11 00:00:00", "After"},
	}
	asOf := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	req := attribution.PathsRequest{Period: attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 1}, To: attribution.Date{Year: 2026, Month: 3, Day: 11}},
		Location: time.UTC, AsOf: asOf, WindowDays: 30, ByRegistration: true, LookbackDays: 30}
	var dbs []edgeDB
	var names []string
	want := "AsOf Early Start | AsOf days=[0] conv=1 | Early > Start days=[30 0] conv=1"
	for _, c := range []struct {
		db       *sqlx.DB
		d        queries.Dialect
		ts       string
		touchTSs []string
	}{
		{sq, queries.SQLite, "TEXT", []string{"TEXT"}},
		{pg, queries.Postgres, "timestamptz", []string{"timestamptz", "timestamp", "date"}},
		{my, queries.MySQL, "datetime", []string{"datetime", "timestamp NULL", "date"}},
	} {
		mustExec(t, c.db, fmt.Sprintf(`CREATE TABLE regs (uid bigint, at %s, ch text)`, c.ts))
		mustExec(t, c.db, fmt.Sprintf(`CREATE TABLE purs (uid bigint, at %s, amount decimal(12,2))`, c.ts))
		for _, r := range [][2]any{{1, "2026-03-01 00:00:00"}, {2, "2026-03-10 00:00:00"}} {
			if _, err := c.db.Exec(c.db.Rebind(`INSERT INTO regs VALUES (?, ?, 'Search')`), r[0], r[1]); err != nil {
				t.Fatal(err)
			}
		}
		for i, ts := range c.touchTSs {
			table := fmt.Sprintf("touch%d", i)
			mustExec(t, c.db, fmt.Sprintf(`CREATE TABLE %s (uid bigint, at %s, utm text)`, table, ts))
			for _, tp := range touches {
				at := tp.at
				if ts == "date" {
					at = at[:10]
				}
				if _, err := c.db.Exec(c.db.Rebind(`INSERT INTO `+table+` VALUES (?, ?, ?)`), tp.user, at, tp.utm); err != nil {
					t.Fatal(err)
				}
			}
			// Every table first: MySQL's snapshots leave their
			// connection read-only for the pool.
			dbs = append(dbs, edgeDB{db: c.db, dialect: c.d, mapping: queries.Mapping{
				Registrations: queries.Source{Table: "regs", Columns: map[string]string{"user_id": "uid", "registered_at": "at", "channel": "ch"}},
				Purchases:     queries.Source{Table: "purs", Columns: map[string]string{"user_id": "uid", "purchased_at": "at"}},
				Touchpoints:   &queries.Source{Table: table, Columns: map[string]string{"user_id": "uid", "occurred_at": "at", "channel": "utm"}},
			}})
			names = append(names, string(c.d)+" "+ts)
		}
	}
	for i, e := range dbs {
		t.Run(names[i], func(t *testing.T) {
			var labels []string
			err := e.snapshot(t, "UTC").ReadTouchChannels(context.Background(), req, func(ch string) error {
				labels = append(labels, ch)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(labels)
			got := append(labels, "|")
			err = e.snapshot(t, "UTC").ReadPaths(context.Background(), req, func(r attribution.PathRow) error {
				if r.Touched && !r.TouchCount {
					got = append(got, fmt.Sprintf("%s days=%v conv=%d", strings.Join(r.Channels, " > "), r.Days, r.Conversions), "|")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if g := strings.TrimSuffix(strings.Join(got, " "), " |"); g != want {
				t.Errorf("touch channels | paths\n got %s\nwant %s", g, want)
			}
		})
	}
}
