package attribution

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func tpath(key string, conv, non int64, revenue Money) TouchPath {
	return TouchPath{Channels: strings.Split(key, ">"), Conversions: conv, NonConversions: non, Revenue: revenue}
}

func attribute(t *testing.T, s TouchSettings, paths ...TouchPath) MultiTouch {
	t.Helper()
	mt, err := AttributeTouches(TouchInputs{Paths: paths, Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	return mt
}

func nearMT(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// The example: "C1 > C2 > C3" converting once, "C1" and "C2 > C3"
// not converting. First-order chain, by hand: P(C3→conv) = 1/2, C2 → C3
// always, C1 → C2 half the time, start → C1 2/3 and → C2 1/3: P(conv) =
// 2/3·1/4 + 1/3·1/2 = 1/3. Without C1: 1/3·1/2 = 1/6, RE = 1/2; without C2
// or C3 nothing converts, RE = 1. Credit = RE / ΣRE = 0.2, 0.4, 0.4.
func TestMarkovFirstOrderByHand(t *testing.T) {
	mt := attribute(t, TouchSettings{Models: []TouchModel{ModelMarkov}},
		tpath("C1>C2>C3", 1, 0, 100*MoneyScale), tpath("C1", 0, 1, 0), tpath("C2>C3", 0, 1, 0))
	if !nearMT(mt.Markov.ConversionProbability, 1.0/3) {
		t.Errorf("P(conv) = %v, want 1/3", mt.Markov.ConversionProbability)
	}
	wantRE := map[string]float64{"C1": 0.5, "C2": 1, "C3": 1}
	for _, r := range mt.Markov.RemovalEffects {
		if !nearMT(r.Value, wantRE[r.Channel]) {
			t.Errorf("RE(%s) = %v, want %v", r.Channel, r.Value, wantRE[r.Channel])
		}
	}
	if len(mt.Markov.RemovalEffects) != 3 {
		t.Fatalf("removal effects %+v", mt.Markov.RemovalEffects)
	}
	m, _ := mt.Model(ModelMarkov)
	want := map[string]float64{"C1": 0.2, "C2": 0.4, "C3": 0.4}
	wantRev := map[string]Money{"C1": 20 * MoneyScale, "C2": 40 * MoneyScale, "C3": 40 * MoneyScale}
	for ch, w := range want {
		c := m.Channel(ch)
		if !nearMT(c.Conversions, w) || c.Revenue != wantRev[ch] {
			t.Errorf("%s: %v conversions, revenue %s; want %v, %s", ch, c.Conversions, c.Revenue, w, wantRev[ch])
		}
	}
}

// Order 2 remembers where a path came from: "A > C" converts twice and "B >
// C" never (twice). First order sees C convert half the time from either,
// so A and B share: RE 1/2, 1/2, C 1 → A 0.5, B 0.5, C 1. Second order has
// states (A), (A,C), (B), (B,C): (A,C) always converts, (B,C) never; P =
// 1/2; without A nothing converts (RE 1), without B still 1/2 (RE 0),
// without C nothing (RE 1) → A 1, B 0, C 1.
func TestMarkovSecondOrderByHand(t *testing.T) {
	paths := []TouchPath{tpath("A>C", 2, 0, 0), tpath("B>C", 0, 2, 0)}
	for _, tc := range []struct {
		order int
		re    map[string]float64
		conv  map[string]float64
	}{
		{1, map[string]float64{"A": 0.5, "B": 0.5, "C": 1}, map[string]float64{"A": 0.5, "B": 0.5, "C": 1}},
		{2, map[string]float64{"A": 1, "B": 0, "C": 1}, map[string]float64{"A": 1, "B": 0, "C": 1}},
	} {
		t.Run(fmt.Sprint("order", tc.order), func(t *testing.T) {
			mt := attribute(t, TouchSettings{Models: []TouchModel{ModelMarkov}, MarkovOrder: tc.order}, paths...)
			if !nearMT(mt.Markov.ConversionProbability, 0.5) {
				t.Errorf("P(conv) = %v, want 0.5", mt.Markov.ConversionProbability)
			}
			for _, r := range mt.Markov.RemovalEffects {
				if !nearMT(r.Value, tc.re[r.Channel]) {
					t.Errorf("RE(%s) = %v, want %v", r.Channel, r.Value, tc.re[r.Channel])
				}
			}
			m, _ := mt.Model(ModelMarkov)
			for ch, w := range tc.conv {
				if got := m.Channel(ch).Conversions; !nearMT(got, w) {
					t.Errorf("%s: %v, want %v", ch, got, w)
				}
			}
			if wantStates := map[int]int{1: 3, 2: 4}[tc.order]; mt.Markov.States != wantStates {
				t.Errorf("%d states, want %d", mt.Markov.States, wantStates)
			}
		})
	}
}

// Self-transitions stay in the chain: "A > A" converting once and "A" not
// converting give A → A once out of three transitions from A; P(conv) =
// P(A) = (1/3)·P(A) + 1/3 → 1/2.
func TestMarkovKeepsSelfTransitions(t *testing.T) {
	mt := attribute(t, TouchSettings{Models: []TouchModel{ModelMarkov}}, tpath("A>A", 1, 0, 0), tpath("A", 0, 1, 0))
	if !nearMT(mt.Markov.ConversionProbability, 0.5) {
		t.Errorf("P(conv) = %v, want 0.5", mt.Markov.ConversionProbability)
	}
}

// The example: Direct > Organic Search > Direct with revenue 140.
// Per touch: first 140/0/0, last 0/0/140, linear 46.67 each,
// position-based 56/28/56, last non-direct all to Organic Search.
func TestRuleBasedModelsByHand(t *testing.T) {
	mt := attribute(t, TouchSettings{}, tpath("Direct>Organic Search>Direct", 1, 0, 140*MoneyScale))
	want := map[TouchModel]map[string]Money{
		ModelFirstTouch:    {"Direct": 1400000, "Organic Search": 0},
		ModelLastTouch:     {"Direct": 1400000, "Organic Search": 0},
		ModelLastNonDirect: {"Direct": 0, "Organic Search": 1400000},
		// 140·2/3 = 93.3333…, 140/3 = 46.6666…: the unit left over goes to
		// the larger remainder (Organic Search's .67 against Direct's .33).
		ModelLinear:        {"Direct": 933333, "Organic Search": 466667},
		ModelPositionBased: {"Direct": 1120000, "Organic Search": 280000},
	}
	wantConv := map[TouchModel]map[string]float64{
		ModelFirstTouch:    {"Direct": 1, "Organic Search": 0},
		ModelLastTouch:     {"Direct": 1, "Organic Search": 0},
		ModelLastNonDirect: {"Direct": 0, "Organic Search": 1},
		ModelLinear:        {"Direct": 2.0 / 3, "Organic Search": 1.0 / 3},
		ModelPositionBased: {"Direct": 0.8, "Organic Search": 0.2},
	}
	for model, byChannel := range want {
		m, ok := mt.Model(model)
		if !ok {
			t.Fatalf("model %s missing", model)
		}
		for ch, rev := range byChannel {
			c := m.Channel(ch)
			if c.Revenue != rev || !nearMT(c.Conversions, wantConv[model][ch]) {
				t.Errorf("%s %s: revenue %s, %v conversions; want %s, %v", model, ch, c.Revenue, c.Conversions, rev, wantConv[model][ch])
			}
		}
	}
	// Two touches share 50/50; one touch takes everything.
	mt = attribute(t, TouchSettings{Models: []TouchModel{ModelPositionBased}}, tpath("A>B", 1, 0, 0), tpath("C", 1, 0, 0))
	m, _ := mt.Model(ModelPositionBased)
	for ch, w := range map[string]float64{"A": 0.5, "B": 0.5, "C": 1} {
		if got := m.Channel(ch).Conversions; !nearMT(got, w) {
			t.Errorf("position-based %s = %v, want %v", ch, got, w)
		}
	}
}

// A path of direct touches only keeps its last touch under last
// non-direct; the direct list is configurable.
func TestLastNonDirectOnlyDirect(t *testing.T) {
	mt := attribute(t, TouchSettings{Models: []TouchModel{ModelLastNonDirect}, Direct: []string{"Direct", "(none)"}},
		tpath("Direct>Direct", 1, 0, 0), tpath("Email>(none)>Direct", 1, 0, 0))
	m, _ := mt.Model(ModelLastNonDirect)
	if m.Channel("Direct").Conversions != 1 || m.Channel("Email").Conversions != 1 || m.Channel("(none)").Conversions != 0 {
		t.Errorf("last non-direct: %+v", m.Channels)
	}
}

// Time decay with a 7-day half-life: touches 14, 7 and 0 days before the
// conversion weigh 1/4, 1/2 and 1, i.e. 1/7, 2/7 and 4/7 of the credit;
// revenue 70 → 10, 20, 40.
func TestTimeDecayByHand(t *testing.T) {
	p := tpath("A>B>C", 1, 0, 70*MoneyScale)
	p.Days = []int{14, 7, 0}
	mt := attribute(t, TouchSettings{Models: []TouchModel{ModelTimeDecay}}, p)
	m, _ := mt.Model(ModelTimeDecay)
	for ch, w := range map[string]float64{"A": 1.0 / 7, "B": 2.0 / 7, "C": 4.0 / 7} {
		if got := m.Channel(ch).Conversions; !nearMT(got, w) {
			t.Errorf("%s = %v, want %v", ch, got, w)
		}
	}
	for ch, w := range map[string]Money{"A": 10 * MoneyScale, "B": 20 * MoneyScale, "C": 40 * MoneyScale} {
		if got := m.Channel(ch).Revenue; got != w {
			t.Errorf("%s revenue = %s, want %s", ch, got, w)
		}
	}
	// A half-life of 14 days: weights 1/2, 2^(−1/2), 1.
	mt = attribute(t, TouchSettings{Models: []TouchModel{ModelTimeDecay}, HalfLifeDays: 14}, p)
	m, _ = mt.Model(ModelTimeDecay)
	sum := 0.5 + 1/math.Sqrt2 + 1
	for ch, w := range map[string]float64{"A": 0.5 / sum, "B": 1 / math.Sqrt2 / sum, "C": 1 / sum} {
		if got := m.Channel(ch).Conversions; !nearMT(got, w) {
			t.Errorf("half-life 14: %s = %v, want %v", ch, got, w)
		}
	}
}

// Three channels by hand: {A} converts 2, {B} 1, {A,B} 3, {A,B,C} 6. v(A)
// = 2, v(B) = 1, v(C) = 0, v(AB) = 6, v(AC) = 2, v(BC) = 1, v(ABC) = 12.
// φ_A = 1/3·2 + 1/6·(6−1) + 1/6·(2−0) + 1/3·(12−1) = 5.5,
// φ_B = 1/3·1 + 1/6·(6−2) + 1/6·(1−0) + 1/3·(12−2) = 4.5,
// φ_C = 1/3·0 + 1/6·0 + 1/6·0 + 1/3·(12−6) = 2.
func TestShapleyByHand(t *testing.T) {
	mt := attribute(t, TouchSettings{Models: []TouchModel{ModelShapley}},
		tpath("A", 2, 5, 20*MoneyScale), tpath("B", 1, 0, 10*MoneyScale), tpath("B>A", 3, 1, 30*MoneyScale), tpath("C>A>B>C", 6, 0, 60*MoneyScale))
	m, _ := mt.Model(ModelShapley)
	for ch, w := range map[string]float64{"A": 5.5, "B": 4.5, "C": 2} {
		c := m.Channel(ch)
		// Revenue is 10 per conversion, so its values are 10× the counts.
		if !nearMT(c.Conversions, w) || c.Revenue != Money(w*10*MoneyScale) {
			t.Errorf("%s = %v, revenue %s; want %v, %v", ch, c.Conversions, c.Revenue, w, w*10)
		}
	}
}

// Beyond 15 channels the Shapley model merges those with the fewest
// touches into "(other)" and says so.
func TestShapleyMergesBeyondFifteen(t *testing.T) {
	var paths []TouchPath
	for i := 0; i < 18; i++ {
		paths = append(paths, tpath(fmt.Sprintf("C%02d", i), int64(100-i), 1, 0))
	}
	mt := attribute(t, TouchSettings{Models: []TouchModel{ModelShapley}}, paths...)
	m, _ := mt.Model(ModelShapley)
	if len(mt.ShapleyMerged) != 3 || mt.ShapleyMerged[0] != "C15" || len(m.Channels) != 16 {
		t.Fatalf("merged %v, %d channels", mt.ShapleyMerged, len(m.Channels))
	}
	// Single-channel paths: each keeps its own conversions; (other) the sum.
	if got := m.Channel(ShapleyOther).Conversions; !nearMT(got, 85+84+83) {
		t.Errorf("(other) = %v", got)
	}
	if len(mt.Notes) != 1 || !strings.Contains(mt.Notes[0], "(other)") {
		t.Errorf("notes %q", mt.Notes)
	}
}

// Every model's channel credits sum to the paths' conversions (to float
// rounding) and revenue (exactly), on random paths.
func TestEveryModelReconciles(t *testing.T) {
	seed := uint64(13)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	chans := []string{"Direct", "Email", "Paid Search", "Organic Search", "Display", "Referral"}
	for _, order := range []int{1, 2, 3, 4} {
		var paths []TouchPath
		var conv int64
		var rev Money
		for i := 0; i < 200; i++ {
			n := 1 + rng.IntN(5)
			p := TouchPath{Conversions: int64(rng.IntN(4)), NonConversions: int64(rng.IntN(4)), Revenue: Money(rng.Int64N(1e9) - 1e8)}
			for j := 0; j < n; j++ {
				p.Channels = append(p.Channels, chans[rng.IntN(len(chans))])
				p.Days = append(p.Days, rng.IntN(30))
			}
			conv += p.Conversions
			if p.Conversions+p.NonConversions > 0 {
				rev += p.Revenue
			}
			paths = append(paths, p)
		}
		mt := attribute(t, TouchSettings{MarkovOrder: order}, paths...)
		if mt.Conversions != conv || mt.Revenue != rev {
			t.Fatalf("totals %d, %s; want %d, %s", mt.Conversions, mt.Revenue, conv, rev)
		}
		if len(mt.Models) != len(TouchModels) {
			t.Fatalf("%d models", len(mt.Models))
		}
		for _, m := range mt.Models {
			var c float64
			var r Money
			for _, ch := range m.Channels {
				c += ch.Conversions
				r += ch.Revenue
			}
			if math.Abs(c-float64(conv)) > 1e-6 || r != rev || m.Total.Revenue != rev {
				t.Errorf("order %d, %s: %v conversions, revenue %s; want %d, %s", order, m.Model, c, r, conv, rev)
			}
		}
	}
}

func TestApportionSumsExactly(t *testing.T) {
	for _, tc := range []struct {
		total Money
		w     []float64
		want  []Money
	}{
		{100, []float64{1, 1, 1}, []Money{34, 33, 33}},
		{-100, []float64{1, 1, 1}, []Money{-34, -33, -33}},
		{10, []float64{0, 0}, []Money{10, 0}},
		{7, []float64{0.1, 0.2, 0.7}, []Money{1, 1, 5}},
	} {
		got := apportion(tc.total, tc.w)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("apportion(%d, %v) = %v, want %v", tc.total, tc.w, got, tc.want)
		}
	}
}

func TestTouchSettingsValidate(t *testing.T) {
	for _, tc := range []struct {
		s    TouchSettings
		want string
	}{
		{TouchSettings{Conversion: "signup"}, `conversion = "signup"`},
		{TouchSettings{LookbackDays: -1}, "lookback_days = -1"},
		{TouchSettings{MarkovOrder: 5}, "markov_order = 5"},
		{TouchSettings{HalfLifeDays: -2}, "half_life_days = -2"},
		{TouchSettings{Models: []TouchModel{"u_shaped"}}, `models names "u_shaped"`},
		{TouchSettings{Models: []TouchModel{ModelLinear, ModelLinear}}, "twice"},
	} {
		err := tc.s.WithDefaults().Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.s, err, tc.want)
		}
	}
	if err := (TouchSettings{}).WithDefaults().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

// Spend joins the credit: cost per attributed conversion and ROAS.
func TestTouchSpendRatios(t *testing.T) {
	mt, err := AttributeTouches(TouchInputs{Paths: []TouchPath{tpath("A>B", 2, 0, 100*MoneyScale)},
		Settings: TouchSettings{Models: []TouchModel{ModelLinear}}, Spend: map[string]Money{"A": 30 * MoneyScale, "X": 5 * MoneyScale}})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := mt.Model(ModelLinear)
	a, x := m.Channel("A"), m.Channel("X")
	if a.CostPerConversion != 30*MoneyScale || !a.CostPerConversionValid || !nearMT(a.ROAS.Value, 50.0/30) {
		t.Errorf("A: %+v", a)
	}
	if x.CostPerConversionValid || !x.ROAS.Valid || x.ROAS.Value != 0 || m.Channel("B").ROAS.Valid {
		t.Errorf("X %+v, B %+v", x, m.Channel("B"))
	}
	if m.Total.Spend != 35*MoneyScale || m.Total.CostPerConversion != 175000 {
		t.Errorf("total %+v", m.Total)
	}
}

// The characteristic function is a sum of unanimity games, one per set of
// channels, so the Shapley values equal each converting path's
// conversions split equally among its distinct channels: an independent
// computation of the enumeration's result on random paths.
func TestShapleyEqualsUnanimitySplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	chans := []string{"A", "B", "C", "D", "E", "F", "G"}
	var paths []TouchPath
	want := map[string]float64{}
	for i := 0; i < 300; i++ {
		p := TouchPath{Conversions: int64(rng.IntN(5)), NonConversions: 1}
		set := map[string]bool{}
		for j := 0; j <= rng.IntN(6); j++ {
			c := chans[rng.IntN(len(chans))]
			p.Channels = append(p.Channels, c)
			set[c] = true
		}
		for c := range set {
			want[c] += float64(p.Conversions) / float64(len(set))
		}
		paths = append(paths, p)
	}
	mt := attribute(t, TouchSettings{Models: []TouchModel{ModelShapley}}, paths...)
	m, _ := mt.Model(ModelShapley)
	for _, c := range chans {
		if got := m.Channel(c).Conversions; math.Abs(got-want[c]) > 1e-9 {
			t.Errorf("%s = %v, want %v", c, got, want[c])
		}
	}
}

// A path's timing rows streamed as readMultiTouch feeds them (the path
// once with its totals, then each timing row for time decay) give every
// model the credit of the rows held one by one: time decay and the
// conversions exactly, the revenue of the other models to within one
// Money unit per touch (the path's revenue is split once, not per row).
func TestStreamedTimingRowsKeepTheCredit(t *testing.T) {
	a := tpath("A>B>C", 2, 0, 70*MoneyScale)
	a.Days = []int{14, 7, 0}
	b := tpath("A>B>C", 1, 3, 33*MoneyScale)
	b.Days = []int{3, 3, 1}
	s := TouchSettings{}.WithDefaults()
	rows := attribute(t, TouchSettings{}, a, b)
	acc := newTouchAcc(s, map[string]int64{"A": 6, "B": 6, "C": 6})
	if err := acc.path(a.Channels, 3, 3, 103*MoneyScale); err != nil {
		t.Fatal(err)
	}
	acc.timed(a.Channels, a.Days, a.Conversions, a.Revenue)
	acc.timed(b.Channels, b.Days, b.Conversions, b.Revenue)
	var one MultiTouch
	if err := acc.finish(&one, nil, nil); err != nil {
		t.Fatal(err)
	}
	for i, m := range rows.Models {
		for _, c := range m.Channels {
			o := one.Models[i].Channel(c.Channel)
			d := o.Revenue - c.Revenue
			if !nearMT(o.Conversions, c.Conversions) || d > 1 || d < -1 || (m.Model == ModelTimeDecay && d != 0) {
				t.Errorf("%s %s: streamed %v %s, rows %v %s", m.Model, c.Channel, o.Conversions, o.Revenue, c.Conversions, c.Revenue)
			}
		}
		if one.Models[i].Total.Revenue != 103*MoneyScale {
			t.Errorf("%s: total revenue %s", m.Model, one.Models[i].Total.Revenue)
		}
	}
	if one.Conversions != 3 || one.NonConversions != 3 || one.Revenue != 103*MoneyScale {
		t.Errorf("streamed totals %d %d %s", one.Conversions, one.NonConversions, one.Revenue)
	}
}

// The same paths give bit-identical credits on every run (no map order
// reaches the arithmetic).
func TestTouchModelsAreDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	chans := []string{"A", "B", "C", "D", "E", "F", "G", "H", "I"}
	var paths []TouchPath
	for i := 0; i < 300; i++ {
		p := TouchPath{Conversions: int64(rng.IntN(3)), NonConversions: int64(rng.IntN(3)), Revenue: Money(rng.Int64N(1e8))}
		for j := 0; j <= rng.IntN(5); j++ {
			p.Channels = append(p.Channels, chans[rng.IntN(len(chans))])
		}
		paths = append(paths, p)
	}
	first := touchPrint(attribute(t, TouchSettings{MarkovOrder: 2}, paths...))
	for i := 0; i < 20; i++ {
		if again := touchPrint(attribute(t, TouchSettings{MarkovOrder: 2}, paths...)); again != first {
			t.Fatal("a second run gave other numbers")
		}
	}
}

func touchPrint(mt MultiTouch) string {
	s := fmt.Sprintf("%+v", mt.Models)
	if mt.Markov != nil {
		s += fmt.Sprintf("%+v", *mt.Markov)
	}
	return s
}
