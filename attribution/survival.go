package attribution

import (
	"math"
	"sort"
	"strings"
	"unicode"
)

// NoCampaign is the campaign of registrations whose campaign is NULL, empty,
// white space, or not mapped at all.
const NoCampaign = ""

// NormalizeCampaign trims a campaign label like NormalizeChannel does; a
// missing or blank campaign becomes NoCampaign.
func NormalizeCampaign(raw string, valid bool) string {
	s := strings.TrimFunc(raw, unicode.IsSpace)
	if !valid {
		return NoCampaign
	}
	return s
}

// CurveRow is one row of the curves aggregation (docs/METRICS-COHORTS.md,
// "Conversion curves"): the curve population's registrations sharing a raw
// channel label, a raw campaign label and a day d.
type CurveRow struct {
	Channel       string
	ChannelValid  bool
	Campaign      string
	CampaignValid bool
	Day           int
	// Converted counts first purchases on day d (an event at d).
	Converted int64
	// Censored counts registrations censored at d: followed without a
	// conversion through the whole of days 0..d-1, not on day d.
	Censored int64
	// Open counts the report period's registrations that are d whole days
	// old at as_of, immature and not converted by as_of: the ones a
	// projection adds expected customers for.
	Open int64
	// OpenNext counts those of Open that made a first purchase after as_of
	// and up to the query's outcome end (only a backtest sets one).
	OpenNext int64
}

// Curve is the Kaplan–Meier estimate of the cumulative conversion curve
// F(d) = P(first purchase within d days of registering), d = 0..W, of one
// channel (Campaign == NoCampaign and IsCampaign false) or one campaign of a
// channel. Slices indexed by day have W+1 entries (d = 0..W); the per-day
// counts of day W are 0 because a purchase on day W is outside the window.
type Curve struct {
	Channel    string
	Campaign   string
	IsCampaign bool
	WindowDays int
	// Registrations is the size of the curve population.
	Registrations int64
	// Conversions is the number of events (sum of Events).
	Conversions int64
	// Events[d] converted on day d; Censored[d] were censored at d.
	Events   []int64
	Censored []int64
	// AtRisk[d] = n_d, the registrations followed through the whole of day
	// d without converting before it: events on day >= d plus censored at
	// a day > d.
	AtRisk []int64
	// Hazard[d] = Events[d] / AtRisk[d], the discrete hazard of day d;
	// undefined when nobody was at risk.
	Hazard []Ratio
	// F[d] = 1 − S(d) with S(d) = Π_{j<d} (1 − Hazard[j]); F[0] = 0.
	F []float64
	// Low[d] and High[d] are the 95% pointwise confidence band of F[d]:
	// Greenwood's variance on the log(−log S) scale (Kalbfleisch and
	// Prentice), see ConditionalBand. Where no conversion has been seen
	// yet (S = 1) or everyone at risk converted (S = 0) the band has zero
	// width.
	Low  []float64
	High []float64
	// Open[d] are the report period's registrations d days old at as_of
	// that are immature and have not converted yet (CurveRow.Open), and
	// OpenNext[d] those of them who bought by the outcome end (backtests).
	Open     []int64
	OpenNext []int64
}

// Complete reports whether some registration was followed through the
// last day of the window, so that F(W) is estimated rather than carried
// flat from the last day anyone was followed. Projections and scores need
// a complete curve.
func (c Curve) Complete() bool {
	return c.WindowDays > 0 && c.AtRisk[c.WindowDays-1] > 0
}

// NewCurve computes the Kaplan–Meier estimate and its Greenwood band from
// per-day counts. events has entries for days 0..w-1 (longer is an error of
// the caller; shorter is padded with zeros), censored for days 0..w; a
// registration censored at d is at risk on days 0..d-1 only.
func NewCurve(channel, campaign string, isCampaign bool, w int, events, censored, open, openNext []int64) Curve {
	c := Curve{Channel: channel, Campaign: campaign, IsCampaign: isCampaign, WindowDays: w,
		Events: make([]int64, w+1), Censored: make([]int64, w+1), AtRisk: make([]int64, w+1),
		Hazard: make([]Ratio, w+1), F: make([]float64, w+1), Low: make([]float64, w+1),
		High: make([]float64, w+1), Open: make([]int64, w+1), OpenNext: make([]int64, w+1)}
	copy(c.Events[:w], events)
	copy(c.Censored, censored)
	copy(c.Open, open)
	copy(c.OpenNext, openNext)
	// n_d = Σ_{j>=d} events_j + Σ_{j>d} censored_j, summed from the end.
	var atRisk int64
	for d := w; d >= 0; d-- {
		atRisk += c.Events[d]
		c.AtRisk[d] = atRisk
		atRisk += c.Censored[d]
		c.Registrations += c.Events[d] + c.Censored[d]
		c.Conversions += c.Events[d]
	}
	for d := 0; d < w; d++ {
		if c.AtRisk[d] > 0 {
			c.Hazard[d] = Ratio{Value: float64(c.Events[d]) / float64(c.AtRisk[d]), Valid: true}
		}
	}
	for d := 0; d <= w; d++ {
		p, lo, hi := c.ConditionalBand(0, d)
		c.F[d], c.Low[d], c.High[d] = p, lo, hi
	}
	return c
}

// ConditionalBand returns P(first purchase on a day in [a, b) | no purchase
// before day a), the Kaplan–Meier estimate 1 − Π_{a<=j<b} (1 − h_j), and its
// 95% confidence band. The variance is Greenwood's,
// Var Ŝ = Ŝ² Σ_{a<=j<b} e_j / (n_j (n_j − e_j)), transformed to the
// log(−log Ŝ) scale where the band is symmetric and always inside [0, 1]:
// Ŝ^exp(±z·σ) with σ = sqrt(Σ …) / |log Ŝ| (Kalbfleisch and Prentice, The
// Statistical Analysis of Failure Time Data, 2002, §4.3). Days with nobody
// at risk contribute nothing (their hazard is unknown and taken as 0). When
// no day of [a, b) saw a conversion the estimate is 0 with a zero-width
// band; when every registration at risk on some day converted it is 1 with a
// zero-width band. a and b are clamped to [0, W].
func (c Curve) ConditionalBand(a, b int) (p, low, high float64) {
	a = min(max(a, 0), c.WindowDays)
	b = min(max(b, a), c.WindowDays)
	s, v := 1.0, 0.0
	for j := a; j < b; j++ {
		n, e := c.AtRisk[j], c.Events[j]
		if n == 0 || e == 0 {
			continue
		}
		if e == n {
			return 1, 1, 1
		}
		s *= 1 - float64(e)/float64(n)
		v += float64(e) / (float64(n) * float64(n-e))
	}
	if s >= 1 {
		return 0, 0, 0
	}
	sLow, sHigh := logLogBand(s, v)
	return 1 - s, 1 - sHigh, 1 - sLow
}

// logLogBand returns the 95% band of a survival probability 0 < s < 1 whose
// Greenwood sum (variance of log s) is v.
func logLogBand(s, v float64) (low, high float64) {
	ls := math.Log(s)
	sigma := math.Sqrt(v) / math.Abs(ls)
	k := math.Exp(WilsonZ * sigma)
	return math.Pow(s, k), math.Pow(s, 1/k)
}

// Conditional is ConditionalBand without the band.
func (c Curve) Conditional(a, b int) float64 {
	p, _, _ := c.ConditionalBand(a, b)
	return p
}

// curveKey identifies a curve: a channel, or a campaign of a channel.
type curveKey struct {
	channel, campaign string
	isCampaign        bool
}

// CurveSet holds the channel curves of one population and, where the
// campaign column is mapped, the campaign curves.
type CurveSet struct {
	WindowDays int
	// Channels are sorted by channel name; Campaigns by channel, then
	// campaign.
	Channels  []Curve
	Campaigns []Curve
	// All is the pooled curve of every channel (Channel "Total").
	All   Curve
	index map[curveKey]int
}

// BuildCurves merges the rows of the curves query by normalised channel
// (and campaign) label and computes every curve. Rows with Day outside
// 0..w are refused as a data error, since the query never returns them.
func BuildCurves(rows []CurveRow, w int) (CurveSet, error) {
	if w <= 0 {
		w = DefaultWindowDays
	}
	type acc struct{ events, censored, open, next []int64 }
	accs := map[curveKey]*acc{}
	get := func(k curveKey) *acc {
		a, ok := accs[k]
		if !ok {
			a = &acc{make([]int64, w+1), make([]int64, w+1), make([]int64, w+1), make([]int64, w+1)}
			accs[k] = a
		}
		return a
	}
	all := &acc{make([]int64, w+1), make([]int64, w+1), make([]int64, w+1), make([]int64, w+1)}
	campaignsMapped := false
	for _, r := range rows {
		if r.Day < 0 || r.Day > w || (r.Day == w && r.Converted != 0) {
			return CurveSet{}, Errorf(KindData, "curves query returned day %d outside the %d-day window for channel %q", r.Day, w, r.Channel)
		}
		ch := NormalizeChannel(r.Channel, r.ChannelValid)
		camp := NormalizeCampaign(r.Campaign, r.CampaignValid)
		campaignsMapped = campaignsMapped || r.CampaignValid
		for _, a := range []*acc{get(curveKey{ch, NoCampaign, false}), get(curveKey{ch, camp, true}), all} {
			a.events[r.Day] += r.Converted
			a.censored[r.Day] += r.Censored
			a.open[r.Day] += r.Open
			a.next[r.Day] += r.OpenNext
		}
	}
	set := CurveSet{WindowDays: w, index: map[curveKey]int{},
		All: NewCurve("Total", NoCampaign, false, w, all.events[:w], all.censored, all.open, all.next)}
	keys := make([]curveKey, 0, len(accs))
	for k := range accs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.channel != b.channel {
			return a.channel < b.channel
		}
		return a.campaign < b.campaign
	})
	for _, k := range keys {
		a := accs[k]
		c := NewCurve(k.channel, k.campaign, k.isCampaign, w, a.events[:w], a.censored, a.open, a.next)
		if !k.isCampaign {
			set.index[k] = len(set.Channels)
			set.Channels = append(set.Channels, c)
		} else if campaignsMapped {
			set.index[k] = len(set.Campaigns)
			set.Campaigns = append(set.Campaigns, c)
		}
	}
	return set, nil
}

// Channel returns the curve of a normalised channel label.
func (s CurveSet) Channel(name string) (Curve, bool) {
	i, ok := s.index[curveKey{name, NoCampaign, false}]
	if !ok {
		return Curve{}, false
	}
	return s.Channels[i], true
}

// Campaign returns the curve of a campaign of a channel (normalised labels).
func (s CurveSet) Campaign(channel, campaign string) (Curve, bool) {
	i, ok := s.index[curveKey{channel, campaign, true}]
	if !ok {
		return Curve{}, false
	}
	return s.Campaigns[i], true
}
