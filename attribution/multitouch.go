package attribution

import (
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
)

// Multi-touch attribution (docs/MULTITOUCH.md): the credit of each
// converting user's path of touchpoints shared among its channels by
// several models side by side. Every function here is pure and
// deterministic: the same paths give the same numbers on every run.

// TouchModel names one attribution model, as the JSON spells it.
type TouchModel string

// The models, in the order a report lists them.
const (
	ModelFirstTouch     TouchModel = "first_touch"
	ModelLastTouch      TouchModel = "last_touch"
	ModelLastNonDirect  TouchModel = "last_non_direct"
	ModelLinear         TouchModel = "linear"
	ModelPositionBased  TouchModel = "position_based"
	ModelTimeDecay      TouchModel = "time_decay"
	ModelMarkov         TouchModel = "markov"
	ModelShapley        TouchModel = "shapley"
	defaultHalfLifeDays            = 7
)

// TouchModels lists every model in report order.
var TouchModels = []TouchModel{ModelFirstTouch, ModelLastTouch, ModelLastNonDirect, ModelLinear,
	ModelPositionBased, ModelTimeDecay, ModelMarkov, ModelShapley}

// TouchModelTitle is a model's name for people.
func TouchModelTitle(m TouchModel) string {
	switch m {
	case ModelFirstTouch:
		return "First touch"
	case ModelLastTouch:
		return "Last touch"
	case ModelLastNonDirect:
		return "Last non-direct"
	case ModelLinear:
		return "Linear"
	case ModelPositionBased:
		return "Position-based"
	case ModelTimeDecay:
		return "Time decay"
	case ModelMarkov:
		return "Markov chain"
	case ModelShapley:
		return "Shapley value"
	}
	return string(m)
}

// Conversion events of [attribution] conversion.
const (
	ConversionPurchase     = "purchase"
	ConversionRegistration = "registration"
)

// Defaults of [attribution].
const (
	DefaultLookbackDays = 30
	DefaultMarkovOrder  = 1
	DefaultMaxPaths     = 200000
	// MaxShapleyChannels is how many channels the Shapley model values
	// exactly; the others are merged into ShapleyOther.
	MaxShapleyChannels = 15
	// ShapleyOther is the channel that stands for the channels beyond
	// MaxShapleyChannels in the Shapley model.
	ShapleyOther = "(other)"
)

// TouchSettings are the settings of [attribution].
type TouchSettings struct {
	// Conversion is ConversionPurchase (default) or ConversionRegistration.
	Conversion   string
	LookbackDays int
	Models       []TouchModel
	HalfLifeDays float64
	MarkovOrder  int
	// Direct are the channels that the last non-direct model skips.
	Direct []string
	// MaxPaths is accepted for configurations written before the paths
	// were streamed and has no effect: memory no longer grows with the
	// distinct paths (docs/MULTITOUCH.md, "Memory"), so none is grouped.
	MaxPaths int
}

// WithDefaults fills the unset settings with their defaults.
func (s TouchSettings) WithDefaults() TouchSettings {
	if s.Conversion == "" {
		s.Conversion = ConversionPurchase
	}
	if s.LookbackDays == 0 {
		s.LookbackDays = DefaultLookbackDays
	}
	if len(s.Models) == 0 {
		s.Models = slices.Clone(TouchModels)
	}
	if s.HalfLifeDays == 0 {
		s.HalfLifeDays = defaultHalfLifeDays
	}
	if s.MarkovOrder == 0 {
		s.MarkovOrder = DefaultMarkovOrder
	}
	if s.Direct == nil {
		s.Direct = []string{"Direct"}
	}
	if s.MaxPaths == 0 {
		s.MaxPaths = DefaultMaxPaths
	}
	return s
}

// Validate names the first setting out of range, for the [attribution]
// section of the configuration.
func (s TouchSettings) Validate() error {
	switch {
	case s.Conversion != ConversionPurchase && s.Conversion != ConversionRegistration:
		return Errorf(KindConfig, "[attribution] conversion = %q: use \"purchase\" or \"registration\"", s.Conversion)
	case s.LookbackDays < 1:
		return Errorf(KindConfig, "[attribution] lookback_days = %d: give a whole number of days of at least 1", s.LookbackDays)
	case !(s.HalfLifeDays > 0) || math.IsInf(s.HalfLifeDays, 0):
		return Errorf(KindConfig, "[attribution] half_life_days = %v: give a positive number of days", s.HalfLifeDays)
	case s.MarkovOrder < 1 || s.MarkovOrder > 4:
		return Errorf(KindConfig, "[attribution] markov_order = %d: give 1, 2, 3 or 4", s.MarkovOrder)
	case s.MaxPaths < 1:
		return Errorf(KindConfig, "[attribution] max_paths = %d: give a positive number", s.MaxPaths)
	}
	seen := map[TouchModel]bool{}
	for _, m := range s.Models {
		if !slices.Contains(TouchModels, m) {
			names := make([]string, len(TouchModels))
			for i, t := range TouchModels {
				names[i] = string(t)
			}
			return Errorf(KindConfig, "[attribution] models names %q: the models are %s", m, strings.Join(names, ", "))
		}
		if seen[m] {
			return Errorf(KindConfig, "[attribution] models names %q twice", m)
		}
		seen[m] = true
	}
	return nil
}

// TouchPath is one distinct path as the database aggregates it: the
// channels touched in time order, and the users who followed it.
type TouchPath struct {
	Channels []string
	// Days, when set, holds for each touch the whole days from the touch
	// to the conversion (or the end of observation), for the time decay
	// model; rows of one path with different timings are separate rows.
	// Nil counts every touch as on the day of the conversion.
	Days           []int
	Conversions    int64
	NonConversions int64
	// Revenue is the window revenue of the path's users.
	Revenue Money
}

// Key is the path as people read it: "Paid Search > Email".
func (p TouchPath) Key() string { return strings.Join(p.Channels, " > ") }

// ChannelCredit is the credit of one channel under one model.
type ChannelCredit struct {
	Channel string
	// Conversions are the attributed conversions (fractional).
	Conversions float64
	Revenue     Money
	Spend       Money
	// CostPerConversion is Spend / Conversions, rounded to a Money unit;
	// undefined when Conversions is 0.
	CostPerConversion      Money
	CostPerConversionValid bool
	ROAS                   Ratio
}

// ModelCredit is one model's credit of every channel.
type ModelCredit struct {
	Model    TouchModel
	Channels []ChannelCredit
	Total    ChannelCredit
}

// Channel returns the model's credit of channel name (zero when absent).
func (m ModelCredit) Channel(name string) ChannelCredit {
	for _, c := range m.Channels {
		if c.Channel == name {
			return c
		}
	}
	return ChannelCredit{Channel: name}
}

// RemovalEffect is a channel's Markov removal effect.
type RemovalEffect struct {
	Channel string
	Value   float64
}

// MarkovResult is the absorbing chain's conversion probability and each
// channel's removal effect.
type MarkovResult struct {
	Order                 int
	States                int
	ConversionProbability float64
	RemovalEffects        []RemovalEffect
}

// PathSummary is one distinct path with its users, for the Paths sheet.
type PathSummary struct {
	Path           string
	Conversions    int64
	NonConversions int64
	Revenue        Money
}

// MultiTouch is the multi-touch attribution section of a report.
type MultiTouch struct {
	Settings TouchSettings
	// Paths and ConvertingPaths count distinct paths (channel sequences).
	Paths           int64
	ConvertingPaths int64
	Conversions     int64
	NonConversions  int64
	Revenue         Money
	Models          []ModelCredit
	Markov          *MarkovResult
	// ShapleyMerged are the channels the Shapley model counted as
	// ShapleyOther.
	ShapleyMerged []string
	// TopPaths are the most followed paths, most users first.
	TopPaths []PathSummary
	Notes    []string
}

// Model returns the credit of model m, and false when it was not computed.
func (mt MultiTouch) Model(m TouchModel) (ModelCredit, bool) {
	for _, c := range mt.Models {
		if c.Model == m {
			return c, true
		}
	}
	return ModelCredit{}, false
}

// MaxTopPaths is how many paths MultiTouch.TopPaths keeps.
const MaxTopPaths = 1000

// TouchInputs is what AttributeTouches needs: the paths, the settings,
// the spend per channel and the preferred order of the channels (the
// report's channel table; others follow by name).
type TouchInputs struct {
	Paths    []TouchPath
	Settings TouchSettings
	Spend    map[string]Money
	Order    []string
	// Notes are findings of the read (e.g. the channels Shapley merged).
	Notes []string
}

// AttributeTouches computes every model of in.Settings over the paths
// held in memory (the report streams them instead; readMultiTouch). Each
// model's channel credits sum to the paths' conversions and revenue
// (conversions to within rounding of float64; revenue exactly). Paths with
// the same channels are one path of the Paths sheet.
func AttributeTouches(in TouchInputs) (MultiTouch, error) {
	s := in.Settings.WithDefaults()
	if err := s.Validate(); err != nil {
		return MultiTouch{}, err
	}
	out := MultiTouch{Settings: s, Notes: slices.Clone(in.Notes)}
	paths := make([]TouchPath, 0, len(in.Paths))
	touches := map[string]int64{}
	for i, p := range in.Paths {
		if len(p.Channels) == 0 {
			return MultiTouch{}, Errorf(KindData, "path %d has no touch", i+1)
		}
		if p.Days != nil && len(p.Days) != len(p.Channels) {
			return MultiTouch{}, Errorf(KindData, "path %q has %d touches and %d timings", p.Key(), len(p.Channels), len(p.Days))
		}
		if p.Conversions < 0 || p.NonConversions < 0 {
			return MultiTouch{}, Errorf(KindData, "path %q has a negative count", p.Key())
		}
		if p.Conversions == 0 && p.NonConversions == 0 {
			continue
		}
		paths = append(paths, p)
		for _, c := range p.Channels {
			touches[c] += p.Conversions + p.NonConversions
		}
	}
	acc := newTouchAcc(s, touches)
	byKey := map[string]*PathSummary{}
	var keys []string
	for _, p := range paths {
		if err := acc.path(p.Channels, p.Conversions, p.NonConversions, p.Revenue); err != nil {
			return MultiTouch{}, err
		}
		acc.timed(p.Channels, p.Days, p.Conversions, p.Revenue)
		k := p.Key()
		sum := byKey[k]
		if sum == nil {
			sum = &PathSummary{Path: k}
			byKey[k] = sum
			keys = append(keys, k)
		}
		sum.Conversions += p.Conversions
		sum.NonConversions += p.NonConversions
		sum.Revenue += p.Revenue
	}
	var top topPaths
	for _, k := range keys {
		top.add(*byKey[k])
	}
	out.TopPaths, out.Paths, out.ConvertingPaths = top.sorted(), top.distinct, top.converting
	if err := acc.finish(&out, in.Order, in.Spend); err != nil {
		return MultiTouch{}, err
	}
	return out, nil
}

func addMoney(a, b Money) (Money, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

func (c *ChannelCredit) fillRatios() {
	if c.Conversions > 0 {
		c.CostPerConversion = Money(math.Round(float64(c.Spend) / c.Conversions))
		c.CostPerConversionValid = true
	}
	c.ROAS = ratio(float64(c.Revenue), float64(c.Spend))
}

// ChangeVsLastTouch is how much model m moves a channel's attributed
// conversions against the last-touch model: m ÷ last touch − 1, undefined
// when last touch credits the channel with nothing.
func ChangeVsLastTouch(m, last ChannelCredit) Ratio {
	if last.Conversions == 0 {
		return Ratio{}
	}
	return Ratio{Value: m.Conversions/last.Conversions - 1, Valid: true}
}

// touchChannelOrder is the channels of the paths (chans) and of the
// spend, in the order of order first, then by name.
func touchChannelOrder(chans map[string]bool, order []string, spend map[string]Money) []string {
	seen := maps.Clone(chans)
	for c, m := range spend {
		if m != 0 {
			seen[c] = true
		}
	}
	var out []string
	for _, c := range order {
		if seen[c] {
			out = append(out, c)
			delete(seen, c)
		}
	}
	rest := make([]string, 0, len(seen))
	for c := range seen {
		rest = append(rest, c)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// touchWeights are the shares of a path's touches under a rule-based
// model (docs/MULTITOUCH.md, "Rule-based models"); they sum to 1.
func touchWeights(p TouchPath, m TouchModel, s TouchSettings) []float64 {
	n := len(p.Channels)
	w := make([]float64, n)
	switch m {
	case ModelFirstTouch:
		w[0] = 1
	case ModelLastTouch:
		w[n-1] = 1
	case ModelLastNonDirect:
		// The last touch whose channel is not direct; a path of direct
		// touches only keeps its last touch (as GA4 does).
		last := n - 1
		for i := n - 1; i >= 0; i-- {
			if !slices.Contains(s.Direct, p.Channels[i]) {
				last = i
				break
			}
		}
		w[last] = 1
	case ModelLinear:
		for i := range w {
			w[i] = 1 / float64(n)
		}
	case ModelPositionBased:
		switch n {
		case 1:
			w[0] = 1
		case 2:
			w[0], w[1] = 0.5, 0.5
		default:
			w[0], w[n-1] = 0.4, 0.4
			for i := 1; i < n-1; i++ {
				w[i] = 0.2 / float64(n-2)
			}
		}
	case ModelTimeDecay:
		// weight 2^(−Δt / half-life), normalised over the path.
		var sum float64
		for i := range w {
			var dt float64
			if p.Days != nil {
				dt = float64(p.Days[i])
			}
			w[i] = math.Exp2(-dt / s.HalfLifeDays)
			sum += w[i]
		}
		for i := range w {
			w[i] /= sum
		}
	}
	return w
}

// apportionTotal splits total among the channels of order in proportion
// to shares (fallback when shares sum to 0), in whole Money units.
func apportionTotal(total Money, order []string, shares, fallback map[string]float64) map[string]Money {
	w := make([]float64, len(order))
	var sum float64
	for i, c := range order {
		w[i] = shares[c]
		sum += w[i]
	}
	if sum == 0 {
		for i, c := range order {
			w[i] = fallback[c]
		}
	}
	parts := apportion(total, w)
	out := map[string]Money{}
	for i, c := range order {
		out[c] = parts[i]
	}
	return out
}

// apportion splits total into len(w) whole Money units in proportion to
// w, by the largest remainder method: each part is the floor of its exact
// share, and the units left over go to the largest fractional parts (ties
// to the earlier part). The parts always sum to total. Weights that sum to
// zero give everything to the first part.
func apportion(total Money, w []float64) []Money {
	parts := make([]Money, len(w))
	if len(w) == 0 {
		return parts
	}
	var sum float64
	for _, x := range w {
		sum += x
	}
	if sum == 0 || math.IsNaN(sum) || math.IsInf(sum, 0) {
		parts[0] = total
		return parts
	}
	neg := total < 0
	t := total
	if neg {
		t = -t
	}
	type rem struct {
		i int
		f float64
	}
	rems := make([]rem, len(w))
	var given Money
	for i, x := range w {
		exact := float64(t) * (x / sum)
		f := math.Floor(exact)
		parts[i] = Money(f)
		given += parts[i]
		rems[i] = rem{i, exact - f}
	}
	left := t - given
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].f > rems[b].f })
	for k := 0; left > 0; k = (k + 1) % len(rems) {
		parts[rems[k].i]++
		left--
	}
	for left < 0 { // float rounding gave too much: take from the largest
		k := 0
		for i := range parts {
			if parts[i] > parts[k] {
				k = i
			}
		}
		parts[k]--
		left++
	}
	if neg {
		for i := range parts {
			parts[i] = -parts[i]
		}
	}
	return parts
}
