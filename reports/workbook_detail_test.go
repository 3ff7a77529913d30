package reports

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// detailReport returns n generated registrations and the report they add
// up to, as queries.Reader.Read and Detail would give in one snapshot.
func detailReport(t *testing.T, n int) (attribution.Report, []attribution.DetailRow) {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, paris)
	asOf := time.Date(2026, 3, 20, 0, 0, 0, 0, paris)
	channels := []string{chSearch, chSocial, chFormula, attribution.NoChannel}
	var rows []attribution.DetailRow
	type key struct {
		ch       string
		days     int
		immature bool
	}
	cohort := map[key]*attribution.CohortRow{}
	for i := 0; i < n; i++ {
		d := attribution.DetailRow{
			UserID:       fmt.Sprintf("u%05d", i),
			RegisteredAt: start.Add(time.Duration(i) * 37 * time.Minute).Add(123 * time.Millisecond),
			Channel:      channels[i%len(channels)],
			Days:         -1,
		}
		if i%3 == 0 {
			d.Days = i % 7
			d.ConvertedAt = d.RegisteredAt.Add(time.Duration(d.Days)*24*time.Hour + time.Hour)
			d.Revenue = attribution.Money(int64(i) * 12345)
		}
		d.Immature = d.RegisteredAt.Add(30 * 24 * time.Hour).After(asOf)
		rows = append(rows, d)
		k := key{d.Channel, d.Days, d.Immature}
		if cohort[k] == nil {
			cohort[k] = &attribution.CohortRow{Channel: d.Channel, ChannelValid: d.Channel != attribution.NoChannel, Days: d.Days, Immature: d.Immature}
		}
		cohort[k].Count++
		cohort[k].Revenue += d.Revenue
	}
	var in []attribution.CohortRow
	for _, c := range cohort {
		in = append(in, *c)
	}
	r := attribution.Compute(attribution.Inputs{
		Period: attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 1}, To: attribution.Date{Year: 2026, Month: 4, Day: 1}},
		AsOf:   asOf, Timezone: "Europe/Paris", Currency: attribution.Currency{Code: "EUR", Digits: 2}, WindowDays: 30,
		Cohort: in,
	})
	return r, rows
}

func yieldAll(rows []attribution.DetailRow) func(func(attribution.DetailRow) error) error {
	return func(yield func(attribution.DetailRow) error) error {
		for _, d := range rows {
			if err := yield(d); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestWorkbookDetail(t *testing.T) {
	r, rows := detailReport(t, 10)
	t.Run("one row per registration", func(t *testing.T) {
		f, _ := openWorkbookWith(t, r, WorkbookOptions{Detail: yieldAll(rows)})
		if got := f.GetSheetList(); got[len(got)-1] != sheetRegistrations {
			t.Fatalf("sheets = %q, want Registrations last", got)
		}
		got, err := f.GetRows(sheetRegistrations)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(rows)+1 || !slices.Equal(got[0], detailHeaders) {
			t.Fatalf("%d rows, header %q", len(got), got[0])
		}
		// u00000: registered 2026-03-01 00:00:00.123 Paris time, converted
		// the same day an hour later, revenue 0. (excelize shows
		// milliseconds as .000; the serials hold them, and LibreOffice
		// shows them: TestWorkbookDetailInLibreOffice.)
		want := []string{"u00000", "2026-03-01 00:00:00.000", chSearch, "2026-03-01 01:00:00.000", "0", "0.00 EUR", "yes"}
		if !slices.Equal(got[1], want) {
			t.Errorf("first row = %q\nwant        %q", got[1], want)
		}
		ms := 123.0 / 86_400_000
		wantNumber(t, f, sheetRegistrations, "B2", 46082+ms)
		wantNumber(t, f, sheetRegistrations, "D2", 46082+1.0/24+ms)
		if got[2][3] != "" || got[2][4] != "" {
			t.Errorf("a registration that did not convert has %q, %q", got[2][3], got[2][4])
		}
		tables, _ := f.GetTables(sheetRegistrations)
		if len(tables) != 1 || tables[0].Range != fmt.Sprintf("A1:G%d", len(rows)+1) {
			t.Errorf("tables = %+v", tables)
		}
		if _, where := summaryValue(t, f, "Registrations detail"); where != "10 rows on sheet Registrations" {
			t.Errorf("Summary says %q", where)
		}
	})
	t.Run("split at the sheet's row limit", func(t *testing.T) {
		f, _ := openWorkbookWith(t, r, WorkbookOptions{Detail: yieldAll(rows), maxSheetRows: 4})
		sheets := f.GetSheetList()
		want := []string{sheetRegistrations, "Registrations (2)", "Registrations (3)", "Registrations (4)"}
		if !slices.Equal(sheets[len(sheets)-4:], want) {
			t.Fatalf("sheets = %q, want to end with %q", sheets, want)
		}
		var users []string
		for i, s := range want {
			got, _ := f.GetRows(s)
			for _, row := range got[1:] {
				users = append(users, row[0])
			}
			notes := comments(t, f, s)
			if i < len(want)-1 && !strings.Contains(notes["A1"], fmt.Sprintf("continue on %q", want[i+1])) {
				t.Errorf("%s note = %q, want it to say where the list continues", s, notes["A1"])
			}
		}
		var all []string
		for _, d := range rows {
			all = append(all, d.UserID)
		}
		if !slices.Equal(users, all) {
			t.Errorf("users across the sheets = %q, want %q", users, all)
		}
		if _, where := summaryValue(t, f, "Registrations detail"); !strings.Contains(where, "10 rows on 4 sheets, Registrations to Registrations (4)") {
			t.Errorf("Summary says %q", where)
		}
	})
	t.Run("rows that do not add up are refused", func(t *testing.T) {
		bad := slices.Clone(rows)
		bad[3].Revenue++
		err := WriteWorkbookWith(&strings.Builder{}, r, WorkbookOptions{Detail: yieldAll(bad)})
		if err == nil || !strings.Contains(err.Error(), "does not") && !strings.Contains(err.Error(), "adds up to") {
			t.Errorf("err = %v, want a reconciliation error", err)
		}
		err = WriteWorkbookWith(&strings.Builder{}, r, WorkbookOptions{Detail: yieldAll(rows[1:])})
		if err == nil || !strings.Contains(err.Error(), "9 rows, the report 10 registrations") {
			t.Errorf("err = %v, want a count mismatch", err)
		}
	})
	t.Run("the source's error stops the workbook", func(t *testing.T) {
		boom := errors.New("connection reset")
		err := WriteWorkbookWith(&strings.Builder{}, r, WorkbookOptions{Detail: func(yield func(attribution.DetailRow) error) error {
			if err := yield(rows[0]); err != nil {
				return err
			}
			return boom
		}})
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want %v", err, boom)
		}
	})
	t.Run("no registrations", func(t *testing.T) {
		empty, _ := detailReport(t, 0)
		f, _ := openWorkbookWith(t, empty, WorkbookOptions{Detail: yieldAll(nil)})
		got, _ := f.GetRows(sheetRegistrations)
		if len(got) != 1 {
			t.Errorf("rows = %q, want the header only", got)
		}
	})
}
