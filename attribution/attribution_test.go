package attribution

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestParseAndFormatMoney(t *testing.T) {
	for _, tc := range []struct {
		in     string
		digits int
		want   string
	}{
		{"1234.5", 2, "1234.50"},
		{"-0.005", 2, "-0.01"}, // half away from zero
		{"0.0049", 2, "0.00"},
		{"0.004", 2, "0.00"},
		{"-0.004", 2, "0.00"}, // no negative zero
		{"12", 0, "12"},
		{"12.5", 0, "13"},
		{"0.1234", 4, "0.1234"},
		{"+7.10", 3, "7.100"},
		{"1.23000", 2, "1.23"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			m, err := ParseMoney(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Format(tc.digits); got != tc.want {
				t.Errorf("Format(%d) = %q, want %q", tc.digits, got, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "abc", "1.2.3", "1.23456", "1e5", "--1", "."} {
		if _, err := ParseMoney(bad); err == nil {
			t.Errorf("ParseMoney(%q) succeeded", bad)
		}
	}
}

// A quotient is rounded once from its exact value, never twice.
func TestQuotientRoundsOnce(t *testing.T) {
	for _, tc := range []struct {
		num  string
		den  int64
		want string
	}{
		{"155.55", 12, "12.96"}, // 12.9625
		{"155.55", 4, "38.89"},  // 38.8875
		{"0.0099", 2, "0.00"},   // 0.00495: rounding to 0.0050 first would give 0.01
		{"100", 3, "33.33"},
		{"200", 3, "66.67"},
		{"-10", 4, "-2.50"},
		{"0", 5, "0.00"},
	} {
		m, _ := ParseMoney(tc.num)
		if got := (Quotient{m, tc.den}).Format(2); got != tc.want {
			t.Errorf("%s / %d = %s, want %s", tc.num, tc.den, got, tc.want)
		}
	}
	if (Quotient{Num: 5, Den: 0}).Valid() || (Quotient{Num: 5, Den: 0}).Format(2) != "" {
		t.Error("a zero denominator must be n/a")
	}
}

// Wilson intervals checked against hand computation with z = 1.959964.
func TestWilson(t *testing.T) {
	for _, tc := range []struct {
		k, n     int64
		lo, hi   float64
		validity bool
	}{
		{2, 4, 0.150039, 0.849961, true}, // p = .5, n = 4
		{0, 10, 0, 0.277533, true},       // none converted
		{10, 10, 0.722467, 1, true},      // all converted
		{1, 3, 0.061492, 0.792340, true}, // p = 1/3
		{120, 1000, 0.101299, 0.141609, true},
		{0, 0, 0, 0, false}, // no registrations: n/a
	} {
		t.Run(fmt.Sprintf("%d_of_%d", tc.k, tc.n), func(t *testing.T) {
			lo, hi := Wilson(tc.k, tc.n)
			if lo.Valid != tc.validity || hi.Valid != tc.validity {
				t.Fatalf("validity = %v/%v, want %v", lo.Valid, hi.Valid, tc.validity)
			}
			if math.Abs(lo.Value-tc.lo) > 1e-6 || math.Abs(hi.Value-tc.hi) > 5e-6 {
				t.Errorf("interval = [%.6f, %.6f], want [%.6f, %.6f]", lo.Value, hi.Value, tc.lo, tc.hi)
			}
		})
	}
}

func TestMedianOfHistogram(t *testing.T) {
	for _, tc := range []struct {
		hist []int64
		want string
	}{
		{[]int64{}, "n/a"},
		{[]int64{0, 0, 0}, "n/a"},
		{[]int64{1}, "0.0"},             // [0]
		{[]int64{1, 0, 0, 0, 1}, "2.0"}, // [0 4]
		{[]int64{1, 0, 0, 1, 1, 0}, "3.0"},
		{[]int64{1, 0, 0, 1, 1}, "3.0"}, // [0 3 4]
		{[]int64{2, 0, 1, 1}, "1.0"},    // [0 0 2 3]: (0+2)/2
		{[]int64{0, 1, 1}, "1.5"},       // [1 2]
	} {
		got := MedianOfHistogram(tc.hist)
		s := "n/a"
		if got.Valid {
			s = fmt.Sprintf("%.1f", got.Value)
		}
		if s != tc.want {
			t.Errorf("median of %v = %s, want %s", tc.hist, s, tc.want)
		}
	}
}

func TestNormalizeChannel(t *testing.T) {
	for _, tc := range []struct {
		raw   string
		valid bool
		want  string
	}{
		{"Email", true, "Email"},
		{"  Email\t\n", true, "Email"},
		{"\u00a0Email\u00a0", true, "Email"}, // no-break spaces are white space too
		{"", true, NoChannel},
		{"   ", true, NoChannel},
		{"x", false, NoChannel},
		{"email", true, "email"}, // case is kept
		{"Réseaux sociaux", true, "Réseaux sociaux"},
		{"=1+1", true, "=1+1"},
	} {
		if got := NormalizeChannel(tc.raw, tc.valid); got != tc.want {
			t.Errorf("NormalizeChannel(%q, %v) = %q, want %q", tc.raw, tc.valid, got, tc.want)
		}
	}
}

// Property: counts and money of the Total row are sums over the channels,
// its ratios come from those sums, and rows are sorted by customers, then
// name — for random inputs.
func TestTotalIsSumOfChannels(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	labels := []string{"A", " A", "B", "", "C", "Réseaux", "=x"}
	for iter := 0; iter < 200; iter++ {
		var in Inputs
		in.WindowDays = 1 + rng.IntN(40)
		for i := rng.IntN(30); i > 0; i-- {
			days := -1
			if rng.IntN(2) == 0 {
				days = rng.IntN(in.WindowDays)
			}
			in.Cohort = append(in.Cohort, CohortRow{Channel: labels[rng.IntN(len(labels))], ChannelValid: rng.IntN(8) > 0,
				Existing: rng.IntN(10) == 0, Days: days, Immature: rng.IntN(3) == 0, Count: 1 + rng.Int64N(50),
				Duplicates: rng.Int64N(3), Revenue: Money(rng.Int64N(1_000_000) - 100_000)})
		}
		for i := rng.IntN(5); i > 0; i-- {
			in.Spend = append(in.Spend, SpendRow{Channel: labels[rng.IntN(len(labels))], ChannelValid: true, Amount: Money(rng.Int64N(10_000_000))})
		}
		r := Compute(in)
		var sum ChannelMetrics
		var hist []int64 = make([]int64, in.WindowDays)
		for i, m := range r.Channels {
			sum.Registrations += m.Registrations
			sum.Customers += m.Customers
			sum.Spend += m.Spend
			sum.Revenue += m.Revenue
			sum.Immature += m.Immature
			for d, n := range m.DaysToConvert {
				hist[d] += n
			}
			if i > 0 {
				p := r.Channels[i-1]
				if p.Customers < m.Customers || (p.Customers == m.Customers && p.Channel >= m.Channel) {
					t.Fatalf("rows out of order: %q (%d) before %q (%d)", p.Channel, p.Customers, m.Channel, m.Customers)
				}
			}
		}
		tot := r.Total
		if sum.Registrations != tot.Registrations || sum.Customers != tot.Customers || sum.Spend != tot.Spend ||
			sum.Revenue != tot.Revenue || sum.Immature != tot.Immature {
			t.Fatalf("total %+v is not the sum %+v", tot, sum)
		}
		if cr := ratio(float64(sum.Customers), float64(sum.Registrations)); cr != tot.ConversionRate {
			t.Fatalf("total conversion rate %v, want ratio of sums %v", tot.ConversionRate, cr)
		}
		if tot.CostPerCustomer != (Quotient{sum.Spend, sum.Customers}) {
			t.Fatalf("total CAC %v is not spend/customers of the sums", tot.CostPerCustomer)
		}
		if MedianOfHistogram(hist) != tot.MedianDaysToConvert {
			t.Fatalf("total median is not over all customers")
		}
	}
}

func TestPeriodBoundsAcrossDST(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	p := Period{From: Date{2026, 3, 29}, To: Date{2026, 3, 30}} // clocks go forward at 02:00
	start, end := p.Bounds(berlin)
	if got := end.Sub(start); got != 23*time.Hour {
		t.Errorf("29 March 2026 in Berlin lasts %v, want 23h", got)
	}
	if start.UTC().Format(time.RFC3339) != "2026-03-28T23:00:00Z" {
		t.Errorf("start = %v", start.UTC())
	}
	// Where midnight itself is skipped (Santiago, 2026-09-06), the day starts at 01:00.
	santiago, _ := time.LoadLocation("America/Santiago")
	if s := (Date{2026, 9, 6}).In(santiago); s.Hour() != 1 || DateOf(s) != (Date{2026, 9, 6}) {
		t.Errorf("Santiago 2026-09-06 starts at %v", s)
	}
	if err := (Period{From: Date{2026, 3, 2}, To: Date{2026, 3, 2}}).Validate(); err == nil {
		t.Error("an empty period must be refused")
	}
}
