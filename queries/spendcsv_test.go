package queries_test

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

var march = attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 1}, To: attribution.Date{Year: 2026, Month: 4, Day: 1}}

// spendFile has rows in and around March 2026, in no order, with a BOM,
// a mixed-case header with campaign, a blank line, a white-space-only line,
// a label with spaces and one that a spreadsheet would run.
const spendFile = "\ufeffDate,Channel,Amount,campaign\n" +
	"2026-03-01,Search,10.10,a\n" +
	"2026-03-31,Search,0.0050,b\n" +
	"2026-04-01,Search,99,a\n" + // outside March: To is exclusive
	"2026-02-28,Email,5,\n" +
	"\n" +
	"   \n" +
	"2026-03-15, Email ,1.5,\n" +
	"2026-03-01,Search,0.9,c\n" +
	"2026-03-15,\"=HYPERLINK(\"\"x\"\")\",2,\n"

func TestParseSpendCSV(t *testing.T) {
	t.Run("every date per raw label", func(t *testing.T) {
		got, err := queries.ParseSpendCSV(strings.NewReader(spendFile), "spend.csv")
		if err != nil {
			t.Fatal(err)
		}
		// By date, then label bytewise (" " < "=" < "S"), then campaign
		// (the header has one: spend per campaign, an empty cell none).
		want := []string{
			"2026-02-28 Email 5.0000 ×1 -",
			"2026-03-01 Search 10.1000 ×1 a",
			"2026-03-01 Search 0.9000 ×1 c",
			`2026-03-15  Email  1.5000 ×1 -`,
			`2026-03-15 =HYPERLINK("x") 2.0000 ×1 -`,
			"2026-03-31 Search 0.0050 ×1 b",
			"2026-04-01 Search 99.0000 ×1 a",
		}
		var lines []string
		for _, d := range got.Days {
			if !d.ChannelValid || !d.PerCampaign {
				t.Errorf("%+v: a CSV label is never NULL, and this file has campaigns", d)
			}
			camp := d.Campaign
			if !d.CampaignValid {
				camp = "-"
			}
			lines = append(lines, fmt.Sprintf("%s %s %s ×%d %s", d.Date, d.Channel, d.Amount, d.Rows, camp))
		}
		if !slices.Equal(lines, want) {
			t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
		if got.Rows != 7 {
			t.Errorf("rows = %d, want 7 (blank lines are not rows)", got.Rows)
		}
	})
	t.Run("header only", func(t *testing.T) {
		got, err := queries.ParseSpendCSV(strings.NewReader("amount,channel,date\r\n"), "spend.csv")
		if err != nil || got.Rows != 0 || len(got.Days) != 0 {
			t.Errorf("got %+v, %v; want no rows", got, err)
		}
	})
	t.Run("columns in any order, CRLF", func(t *testing.T) {
		got, err := queries.ParseSpendCSV(strings.NewReader("amount,channel,date\r\n1.25,X,2026-03-02\r\n"), "spend.csv")
		if err != nil || got.Rows != 1 || len(got.Days) != 1 || got.Days[0].Amount != 12500 || got.Days[0].Channel != "X" || got.Days[0].PerCampaign {
			t.Errorf("got %+v, %v", got, err)
		}
	})
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "is empty"},
		{"missing column", "date,channel\n2026-03-01,x\n", `line 1: the header has no "amount" column`},
		{"duplicate column", "date,channel,amount,Date\n2026-03-01,x,1,2026-03-02\n", `line 1: column "date" appears twice`},
		{"bad date", "date,channel,amount\n2026-03-01,x,1\n2026-13-01,x,1\n", "line 3: date"},
		{"impossible date", "date,channel,amount\n2026-02-30,x,1\n", "line 2: date"},
		{"bad amount", "date,channel,amount\n2026-03-01,x,1O\n", "line 2: parse amount"},
		{"empty amount", "date,channel,amount\n2026-03-01,x,\n", "line 2: parse amount"},
		{"negative", "date,channel,amount\n2026-03-01,x,1\n\n2026-03-01,x,-1\n", "line 4: amount -1 is negative"},
		{"too precise", "date,channel,amount\n2026-03-01,x,0.00001\n", "line 2: parse amount \"0.00001\": more than 4 decimal places"},
		{"short row", "date,channel,amount\n2026-03-01,x\n", "line 2: 2 fields, the header has 3"},
		{"long row", "date,channel,amount\n2026-03-01,x,1,2\n", "line 2: 4 fields, the header has 3"},
		{"unterminated quote", "date,channel,amount\n\"0", "line 2, column"},
		{"bare quote in the header", "da\"te,channel,amount\n", "line 1, column"},
		{"quote in a field", "date,channel,amount\n2026-03-01,a\"b,1\n", "line 2, column"},
		// 900000000000000 is 9·10^18 Money units; twice that exceeds 2^63−1
		// even on other dates and channels.
		{"total overflows", "date,channel,amount\n2026-03-01,x,900000000000000\n2026-05-01,y,900000000000000\n",
			"line 3: amount 900000000000000 brings the file's total spend above 922337203685477.5807"},
		{"amount too large", "date,channel,amount\n2026-03-01,x,99999999999999999999\n", "line 2: parse amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := queries.ParseSpendCSV(strings.NewReader(tc.in), "spend.csv")
			if err == nil || !strings.Contains(err.Error(), "spend file spend.csv") || !strings.Contains(err.Error(), tc.want) ||
				attribution.KindOf(err) != attribution.KindData {
				t.Errorf("err = %v, want a data error naming spend.csv and %q", err, tc.want)
			}
		})
	}
	t.Run("a failing reader is a runtime error", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader("date,channel,amount\n2026-03-01,x,1\n"), errReader{})
		_, err := queries.ParseSpendCSV(r, "spend.csv")
		if !errors.Is(err, errBroken) || attribution.KindOf(err) != attribution.KindRuntime || !strings.Contains(err.Error(), "spend.csv") {
			t.Errorf("err = %v, want a runtime error wrapping %v", err, errBroken)
		}
	})
}

var errBroken = errors.New("disk on fire")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBroken }

// A period's spend from a parsed file, as the report sums it.
func TestSpendCSVPeriods(t *testing.T) {
	t.Run("sums the period per raw label", func(t *testing.T) {
		f, err := queries.ParseSpendCSV(strings.NewReader(spendFile), "spend.csv")
		if err != nil {
			t.Fatal(err)
		}
		rows, inPeriod := attribution.SpendOver(f.Days, march)
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%s=%s×%d", r.Channel, r.Amount, r.Rows))
		}
		want := ` Email =1.5000×1|=HYPERLINK("x")=2.0000×1|Search=11.0050×3`
		if strings.Join(got, "|") != want {
			t.Errorf("got %s, want %s", strings.Join(got, "|"), want)
		}
		if f.Rows != 7 || inPeriod != 5 {
			t.Errorf("counts %d, %d, want 7 rows, 5 in March", f.Rows, inPeriod)
		}
	})
	t.Run("daily", func(t *testing.T) {
		f, err := queries.ParseSpendCSV(strings.NewReader(spendFile), "spend.csv")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range attribution.DaysIn(f.Days, march) {
			got = append(got, fmt.Sprintf("%s %s=%s", d.Date, d.Channel, d.Amount))
		}
		want := `2026-03-01 Search=10.1000|2026-03-01 Search=0.9000|2026-03-15  Email =1.5000|2026-03-15 =HYPERLINK("x")=2.0000|2026-03-31 Search=0.0050`
		if strings.Join(got, "|") != want {
			t.Errorf("got  %s\nwant %s", strings.Join(got, "|"), want)
		}
	})
	t.Run("the whole file is checked", func(t *testing.T) {
		// A negative amount outside the period used to pass unseen.
		_, err := queries.ParseSpendCSV(strings.NewReader("date,channel,amount\n2026-03-01,x,1\n2026-06-01,x,-5\n"), "spend.csv")
		if err == nil || !strings.Contains(err.Error(), "line 3") || attribution.KindOf(err) != attribution.KindData {
			t.Errorf("err = %v, want a data error at line 3", err)
		}
	})
}

// FuzzParseSpendCSV checks that no input panics and that a file that is
// accepted adds up: its days' totals equal a recomputation from the raw
// records with math/big, which shares no code with ParseSpendCSV's money
// and date parsing. Seeds are in testdata/fuzz/FuzzParseSpendCSV.
func FuzzParseSpendCSV(f *testing.F) {
	f.Add([]byte(spendFile))
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := queries.ParseSpendCSV(strings.NewReader(string(in)), "fuzz.csv")
		if err != nil {
			if attribution.KindOf(err) != attribution.KindData || !strings.Contains(err.Error(), "spend file fuzz.csv") {
				t.Fatalf("err = %v, want a data error naming the file", err)
			}
			return
		}
		want, wantRows := recomputeSpend(t, string(in))
		if got.Rows != wantRows {
			t.Errorf("rows = %d, recomputed %d", got.Rows, wantRows)
		}
		var rows int64
		total := new(big.Rat)
		sums := map[string]spendSum{}
		for i, d := range got.Days {
			if i > 0 {
				p := got.Days[i-1]
				if !p.Date.Before(d.Date) && (p.Date != d.Date || p.Channel > d.Channel || p.Channel == d.Channel && p.Campaign >= d.Campaign) {
					t.Errorf("days %d and %d out of order: %+v, %+v", i-1, i, p, d)
				}
			}
			// Rows of one date and label differ by campaign: summed here.
			k := d.Date.String() + "\x00" + d.Channel
			amount := big.NewRat(int64(d.Amount), attribution.MoneyScale)
			s, ok := sums[k]
			if !ok {
				s = spendSum{amount: new(big.Rat)}
			}
			s.amount.Add(s.amount, amount)
			s.rows += d.Rows
			sums[k] = s
			if d.Amount < 0 || !d.ChannelValid {
				t.Errorf("day %+v", d)
			}
			rows += d.Rows
			total.Add(total, amount)
		}
		for k, s := range sums {
			w, ok := want[k]
			if !ok {
				t.Errorf("day %q was not in the file", k)
				continue
			}
			if s.amount.Cmp(w.amount) != 0 || s.rows != w.rows {
				t.Errorf("day %q: %s over %d rows, recomputed %s over %d rows", k, s.amount.FloatString(4), s.rows, w.amount.FloatString(4), w.rows)
			}
			delete(want, k)
		}
		if len(want) > 0 {
			t.Errorf("days missing from the result: %v", want)
		}
		if rows != got.Rows {
			t.Errorf("the days hold %d rows, the file %d", rows, got.Rows)
		}
		if total.Cmp(new(big.Rat).SetFrac64(1<<63-1, attribution.MoneyScale)) > 0 {
			t.Errorf("total %s does not fit in Money but was accepted", total.FloatString(4))
		}
	})
}

type spendSum struct {
	amount *big.Rat
	rows   int64
}

// recomputeSpend sums an accepted spend file per date and raw label from its
// records: amounts with big.Rat, dates with time.Parse.
func recomputeSpend(t *testing.T, in string) (map[string]spendSum, int64) {
	t.Helper()
	cr := csv.NewReader(strings.NewReader(in))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("ParseSpendCSV accepted a file encoding/csv rejects: %v", err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	sums := map[string]spendSum{}
	var rows int64
	for _, rec := range recs[1:] {
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		rows++
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(rec[col["date"]]))
		if err != nil {
			t.Fatalf("accepted date %q: %v", rec[col["date"]], err)
		}
		a, ok := new(big.Rat).SetString(strings.TrimSpace(rec[col["amount"]]))
		if !ok || a.Sign() < 0 {
			t.Fatalf("accepted amount %q", rec[col["amount"]])
		}
		k := d.Format(time.DateOnly) + "\x00" + rec[col["channel"]]
		s := sums[k]
		if s.amount == nil {
			s.amount = new(big.Rat)
		}
		s.amount.Add(s.amount, a)
		s.rows++
		sums[k] = s
	}
	return sums, rows
}
