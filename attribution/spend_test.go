package attribution

import (
	"fmt"
	"strings"
	"testing"
)

func TestMoneyAdd(t *testing.T) {
	const maxMoney, minMoney = Money(1<<63 - 1), Money(-1 << 63)
	tests := []struct {
		name   string
		m, n   Money
		want   Money
		wantOK bool
	}{
		{"small", 15000, 2500, 17500, true},
		{"refund", 15000, -20000, -5000, true},
		{"up to the largest", maxMoney - 1, 1, maxMoney, true},
		{"past the largest", maxMoney, 1, 0, false},
		// Two rows of 900000000000000 (9·10^18 units) each: 1.8·10^19 > 2^63−1.
		{"two large spends", 900000000000000 * MoneyScale, 900000000000000 * MoneyScale, 0, false},
		{"down to the smallest", minMoney + 1, -1, minMoney, true},
		{"past the smallest", minMoney, -1, 0, false},
		{"opposite signs never overflow", maxMoney, minMoney, -1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.m.Add(tt.n)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("%d.Add(%d) = %d, %v; want %d, %v", tt.m, tt.n, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestSpendOverAndDaysIn(t *testing.T) {
	day := func(s string) Date {
		d, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	days := []DailySpendRow{
		{Channel: "Search", ChannelValid: true, Date: day("2026-02-28"), Amount: 70000, Rows: 1},
		{Channel: "Search", ChannelValid: true, Date: day("2026-03-01"), Amount: 101000, Rows: 2},
		{Channel: " Email ", ChannelValid: true, Date: day("2026-03-15"), Amount: 15000, Rows: 1},
		{Channel: "Search", ChannelValid: true, Date: day("2026-03-31"), Amount: 50, Rows: 1},
		{Channel: "", ChannelValid: false, Date: day("2026-03-20"), Amount: 10000, Rows: 3},
		{Channel: "", ChannelValid: true, Date: day("2026-03-21"), Amount: 20000, Rows: 1},
		{Channel: "Email", ChannelValid: true, Date: day("2026-04-01"), Amount: 990000, Rows: 4}, // To is exclusive
	}
	march := Period{From: day("2026-03-01"), To: day("2026-04-01")}

	t.Run("SpendOver", func(t *testing.T) {
		rows, inPeriod := SpendOver(days, march)
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%q/%v=%s×%d", r.Channel, r.ChannelValid, r.Amount, r.Rows))
		}
		// Labels as written, sorted bytewise (space < "S"), NULL before "".
		// Search: 10.1000 + 0.0050 over 3 rows; February and April left out.
		want := `""/false=1.0000×3|""/true=2.0000×1|" Email "/true=1.5000×1|"Search"/true=10.1050×3`
		if s := strings.Join(got, "|"); s != want {
			t.Errorf("got  %s\nwant %s", s, want)
		}
		if inPeriod != 8 { // 2 + 1 + 1 + 3 + 1
			t.Errorf("rows in period = %d, want 8", inPeriod)
		}
	})
	t.Run("SpendOver of an empty period", func(t *testing.T) {
		rows, inPeriod := SpendOver(days, Period{From: day("2025-01-01"), To: day("2025-02-01")})
		if len(rows) != 0 || inPeriod != 0 {
			t.Errorf("got %v, %d", rows, inPeriod)
		}
	})
	t.Run("DaysIn", func(t *testing.T) {
		in := DaysIn(days, march)
		if len(in) != 5 || in[0] != days[1] || in[4] != days[5] {
			t.Errorf("DaysIn = %+v, want days[1:6]", in)
		}
		in[0].Amount = 0
		if days[1].Amount != 101000 {
			t.Error("DaysIn shares memory with its input")
		}
	})
}
