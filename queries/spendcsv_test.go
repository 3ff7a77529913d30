package queries_test

import (
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

func TestReadSpendCSV(t *testing.T) {
	march := attribution.Period{From: attribution.Date{Year: 2026, Month: 3, Day: 1}, To: attribution.Date{Year: 2026, Month: 4, Day: 1}}
	t.Run("sums the period per raw label", func(t *testing.T) {
		in := "\ufeffDate,Channel,Amount,campaign\n" +
			"2026-03-01,Search,10.10,a\n" +
			"2026-03-31,Search,0.0050,b\n" +
			"2026-04-01,Search,99,a\n" + // outside: To is exclusive
			"2026-02-28,Email,5,\n" +
			"\n" +
			"2026-03-15, Email ,1.5,\n" +
			"2026-03-15,\"=HYPERLINK(\"\"x\"\")\",2,\n"
		rows, q, err := queries.ReadSpendCSV(strings.NewReader(in), "spend.csv", march)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.Channel+"="+r.Amount.String())
		}
		want := ` Email =1.5000|=HYPERLINK("x")=2.0000|Search=10.1050`
		if strings.Join(got, "|") != want {
			t.Errorf("got %s, want %s", strings.Join(got, "|"), want)
		}
		if q.SpendRows != 6 || q.SpendRowsInPeriod != 4 {
			t.Errorf("counts %+v", q)
		}
	})
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"missing column", "date,channel\n2026-03-01,x\n", `no "amount" column`},
		{"bad date", "date,channel,amount\n2026-03-01,x,1\n2026-13-01,x,1\n", "line 3"},
		{"bad amount", "date,channel,amount\n2026-03-01,x,1O\n", "line 2"},
		{"negative", "date,channel,amount\n2026-03-01,x,-1\n", "negative"},
		{"too precise", "date,channel,amount\n2026-03-01,x,0.00001\n", "4 decimal places"},
		{"short row", "date,channel,amount\n2026-03-01,x\n", "line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := queries.ReadSpendCSV(strings.NewReader(tc.in), "spend.csv", march)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "spend.csv") ||
				attribution.KindOf(err) != attribution.KindData {
				t.Errorf("err = %v, want a data error naming spend.csv and %q", err, tc.want)
			}
		})
	}
}
