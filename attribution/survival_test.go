package attribution

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// Kaplan–Meier and Greenwood on small tables computed by hand. Convention
// (METRICS-COHORTS.md): a registration censored at d is at risk on days
// 0..d-1, so n_d = Σ_{j>=d} e_j + Σ_{j>d} c_j.
func TestKaplanMeierByHand(t *testing.T) {
	type point struct {
		d             int
		f, low, high  float64
		atRisk        int64
		hazard        float64
		hazardDefined bool
	}
	for _, tc := range []struct {
		name     string
		w        int
		events   []int64
		censored []int64
		want     []point
		complete bool
	}{
		{
			// 5 registrations: 1 converts on day 0, 2 tie on day 1, 1 is
			// censored at 1 (followed through day 0 only), 1 is followed
			// through the window without converting (censored at W = 3).
			// n0 = 3+2 = 5, h0 = 1/5; n1 = 2+1 = 3, h1 = 2/3; n2 = 1, h2 = 0.
			// S(1) = 0.8, S(2) = S(3) = 0.8·1/3 = 0.266667.
			// Greenwood: V(1) = 1/(5·4) = 0.05; V(2) = 0.05 + 2/(3·1) = 0.716667.
			// Band of S(1) on log(−log): σ = sqrt(0.05)/|ln 0.8| = 1.002097,
			// k = e^(1.959964σ) = 7.12852, S^k = 0.203809, S^(1/k) = 0.969180,
			// so F(1) ∈ [0.030820, 0.796191]. Same for S(2): F(2) ∈
			// [0.313864, 0.990323].
			name: "ties and censoring", w: 3,
			events: []int64{1, 2, 0}, censored: []int64{0, 1, 0, 1},
			want: []point{
				{0, 0, 0, 0, 5, 0.2, true},
				{1, 0.2, 0.030820, 0.796191, 3, 2.0 / 3, true},
				{2, 0.733333, 0.313864, 0.990323, 1, 0, true},
				{3, 0.733333, 0.313864, 0.990323, 0, 0, false},
			},
			complete: true,
		},
		{
			// Registrations censored at 0 were never followed through a whole
			// day: they are never at risk and change nothing.
			// n0 = 1 + 1 = 2, h0 = 1/2; n1 = 1, h1 = 0. F(1) = F(2) = 0.5;
			// V = 1/(2·1) = 0.5: σ = sqrt(0.5)/ln 2 = 1.020139, k = 7.38489,
			// S^k = 0.005983, S^(1/k) = 0.910410: [0.089590, 0.994017].
			name: "censoring at 0", w: 2,
			events: []int64{1, 0}, censored: []int64{3, 0, 1},
			want: []point{
				{0, 0, 0, 0, 2, 0.5, true},
				{1, 0.5, 0.089590, 0.994017, 1, 0, true},
				{2, 0.5, 0.089590, 0.994017, 0, 0, false},
			},
			complete: true,
		},
		{
			// Everyone converts: 2 on day 0, 2 on day 1. n0 = 4, h0 = 1/2;
			// n1 = 2, h1 = 1, so S(2) = 0 and F(2) = 1 with a zero-width
			// band. F(1) = 0.5, V = 2/(4·2) = 0.25: σ = 0.721348,
			// k = 4.11700: [0.155139, 0.942153].
			name: "all converted", w: 2,
			events: []int64{2, 2}, censored: []int64{0, 0, 0},
			want: []point{
				{0, 0, 0, 0, 4, 0.5, true},
				{1, 0.5, 0.155139, 0.942153, 2, 1, true},
				{2, 1, 1, 1, 0, 0, false},
			},
			complete: true,
		},
		{
			// Nobody converts: F = 0 everywhere, zero-width band.
			name: "none converted", w: 2,
			events: []int64{0, 0}, censored: []int64{0, 2, 8},
			want: []point{
				{0, 0, 0, 0, 10, 0, true},
				{1, 0, 0, 0, 8, 0, true},
				{2, 0, 0, 0, 0, 0, false},
			},
			complete: true,
		},
		{
			// Only young registrations: nobody followed through day 1, so
			// the curve is incomplete and day 1's hazard unknown.
			name: "incomplete", w: 2,
			events: []int64{1, 0}, censored: []int64{2, 3, 0},
			want: []point{
				{0, 0, 0, 0, 4, 0.25, true},
				{1, 0.25, 0, 0, 0, 0, false},
			},
			complete: false,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCurve("X", "", false, tc.w, tc.events, tc.censored, nil, nil)
			for _, p := range tc.want {
				if c.AtRisk[p.d] != p.atRisk {
					t.Errorf("n_%d = %d, want %d", p.d, c.AtRisk[p.d], p.atRisk)
				}
				if h := c.Hazard[p.d]; h.Valid != p.hazardDefined || (h.Valid && !near(h.Value, p.hazard, 1e-9)) {
					t.Errorf("h_%d = %+v, want %v (defined %v)", p.d, h, p.hazard, p.hazardDefined)
				}
				if !near(c.F[p.d], p.f, 1e-6) {
					t.Errorf("F(%d) = %.6f, want %.6f", p.d, c.F[p.d], p.f)
				}
				if p.low != 0 || p.high != 0 || p.f == 0 || p.f == 1 {
					if !near(c.Low[p.d], p.low, 1e-6) || !near(c.High[p.d], p.high, 1e-6) {
						t.Errorf("band F(%d) = [%.6f, %.6f], want [%.6f, %.6f]", p.d, c.Low[p.d], c.High[p.d], p.low, p.high)
					}
				}
			}
			if c.Complete() != tc.complete {
				t.Errorf("Complete() = %v, want %v", c.Complete(), tc.complete)
			}
			var regs int64
			for _, n := range append(append([]int64{}, tc.events...), tc.censored...) {
				regs += n
			}
			if c.Registrations != regs {
				t.Errorf("Registrations = %d, want %d", c.Registrations, regs)
			}
		})
	}
}

// The conditional probability used by projections and prospect scores:
// P(convert on a day in [a, b) | not before a) from the same hazards.
func TestConditionalByHand(t *testing.T) {
	c := NewCurve("X", "", false, 3, []int64{1, 2, 0}, []int64{0, 1, 0, 1}, nil, nil)
	for _, tc := range []struct {
		a, b         int
		p, low, high float64
	}{
		{0, 3, 0.733333, 0.313864, 0.990323},
		// From day 1: only h1 = 2/3 matters; V = 2/(3·1), band of S = 1/3:
		// σ = 0.816497/1.098612 = 0.743204, k = 4.28737.
		{1, 3, 2.0 / 3, 0.225851, 0.991038},
		{2, 3, 0, 0, 0},
		{3, 3, 0, 0, 0},
		{1, 9, 2.0 / 3, 0.225851, 0.991038}, // b clamped to W
	} {
		t.Run(fmt.Sprintf("%d_%d", tc.a, tc.b), func(t *testing.T) {
			p, lo, hi := c.ConditionalBand(tc.a, tc.b)
			if !near(p, tc.p, 1e-6) || !near(lo, tc.low, 1e-6) || !near(hi, tc.high, 1e-6) {
				t.Errorf("got %.6f [%.6f, %.6f], want %.6f [%.6f, %.6f]", p, lo, hi, tc.p, tc.low, tc.high)
			}
		})
	}
}

// Rows of the curves query merge by normalised channel label; campaign
// curves exist only when some row carries a campaign.
func TestBuildCurvesMergesLabels(t *testing.T) {
	rows := []CurveRow{
		{Channel: "Search", ChannelValid: true, Campaign: "Brand", CampaignValid: true, Day: 0, Converted: 1},
		{Channel: " Search", ChannelValid: true, Campaign: "Brand ", CampaignValid: true, Day: 2, Censored: 1},
		{Channel: "Search", ChannelValid: true, Day: 2, Censored: 2, Open: 0},
		{Channel: "", ChannelValid: false, Day: 1, Censored: 1, Open: 1},
	}
	set, err := BuildCurves(rows, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Channels) != 2 || set.Channels[0].Channel != NoChannel || set.Channels[1].Channel != "Search" {
		t.Fatalf("channels = %+v", set.Channels)
	}
	s, _ := set.Channel("Search")
	if s.Registrations != 4 || s.Conversions != 1 || !near(s.F[2], 0.25, 1e-12) {
		t.Errorf("Search curve: regs %d conv %d F(2) %v", s.Registrations, s.Conversions, s.F[2])
	}
	b, ok := set.Campaign("Search", "Brand")
	if !ok || b.Registrations != 2 || !near(b.F[2], 0.5, 1e-12) {
		t.Errorf("Search/Brand curve: %+v", b)
	}
	if n, _ := set.Channel(NoChannel); n.Open[1] != 1 {
		t.Errorf("(none) open = %v", n.Open)
	}
	if _, err := BuildCurves([]CurveRow{{Channel: "x", ChannelValid: true, Day: 3}}, 2); KindOf(err) != KindData {
		t.Errorf("day outside the window: err = %v", err)
	}
	none, _ := BuildCurves(rows[2:], 2)
	if len(none.Campaigns) != 0 {
		t.Errorf("campaign curves without a campaign column: %+v", none.Campaigns)
	}
}

// On simulated discrete data with a known hazard, the 95% band covers the
// true F(d) at about 95% of points; a wrong variance (too small by 2) would
// cover about 80%.
func TestGreenwoodBandCoverage(t *testing.T) {
	seed := uint64(42)
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	const w, trials, n = 10, 400, 300
	hazard := func(d int) float64 { return 0.02 + 0.01*float64(d%3) }
	truth := make([]float64, w+1)
	s := 1.0
	for d := 0; d < w; d++ {
		s *= 1 - hazard(d)
		truth[d+1] = 1 - s
	}
	covered, points := 0, 0
	for range trials {
		events, censored := make([]int64, w), make([]int64, w+1)
		for range n {
			// Censoring time uniform on 0..W: a registration of that age.
			follow := r.IntN(w + 1)
			d := 0
			for ; d < follow; d++ {
				if r.Float64() < hazard(d) {
					break
				}
			}
			if d < follow {
				events[d]++
			} else {
				censored[follow]++
			}
		}
		c := NewCurve("X", "", false, w, events, censored, nil, nil)
		for d := 1; d <= w; d++ {
			points++
			if c.Low[d] <= truth[d] && truth[d] <= c.High[d] {
				covered++
			}
		}
	}
	rate := float64(covered) / float64(points)
	t.Logf("pointwise coverage %.3f over %d points", rate, points)
	if rate < 0.92 || rate > 0.98 {
		t.Errorf("coverage %.3f outside [0.92, 0.98]", rate)
	}
}
