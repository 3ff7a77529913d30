package attribution

import (
	"container/heap"
	"math"
	"sort"
	"time"
)

// Prospect is a registered user who has not bought yet and is still inside
// the conversion window at as_of, with the probability of a first purchase
// in the next horizon days (docs/METRICS-COHORTS.md, "Prospects").
type Prospect struct {
	UserID       string
	Channel      string // normalised
	Campaign     string // normalised; NoCampaign when none
	RegisteredAt time.Time
	// AgeDays is floor((as_of − registered_at) / 24 h), 0..W−1.
	AgeDays int
	// Probability = P(first purchase on days [age, min(age + horizon, W))
	// | no purchase before day age), from the curve named by Basis.
	Probability float64
	// Basis is ScoreCampaign, ScoreChannel or ScoreAllChannels.
	Basis string
}

// What a prospect's score was read from.
const (
	ScoreCampaign    = "campaign"
	ScoreChannel     = "channel"
	ScoreAllChannels = "all channels"
)

// A campaign's own curve scores its prospects only when it has at least
// this many registrations and conversions and is complete; otherwise its
// channel's curve does. Below these counts a campaign's hazards are mostly
// noise (about ±30% relative at 20 conversions).
const (
	MinCampaignRegistrations = 200
	MinCampaignConversions   = 20
)

// Scorer turns curves into prospect scores.
type Scorer struct {
	curves  CurveSet
	horizon int
	cache   map[scoreKey]scored
}

type scoreKey struct {
	channel, campaign string
	age               int
}

type scored struct {
	p     float64
	basis string
}

// NewScorer returns a scorer of the next horizonDays from curves.
func NewScorer(curves CurveSet, horizonDays int) *Scorer {
	return &Scorer{curves: curves, horizon: horizonDays, cache: map[scoreKey]scored{}}
}

// HorizonDays returns the scorer's horizon.
func (s *Scorer) HorizonDays() int { return s.horizon }

// Score returns the probability that a prospect of the given normalised
// channel and campaign, ageDays whole days old, makes a first purchase on
// days [age, min(age + horizon, W)), given none before day age: the
// discrete hazards h_j of the campaign's curve when it has enough data,
// else of the channel's when complete, else of all channels pooled:
// 1 − Π_{age<=j<age+horizon} (1 − h_j).
func (s *Scorer) Score(channel, campaign string, ageDays int) (float64, string) {
	k := scoreKey{channel, campaign, ageDays}
	if v, ok := s.cache[k]; ok {
		return v.p, v.basis
	}
	c, basis := s.curves.All, ScoreAllChannels
	if cc, ok := s.curves.Channel(channel); ok && cc.Complete() {
		c, basis = cc, ScoreChannel
	}
	if cc, ok := s.curves.Campaign(channel, campaign); ok && campaign != NoCampaign && cc.Complete() &&
		cc.Registrations >= MinCampaignRegistrations && cc.Conversions >= MinCampaignConversions {
		c, basis = cc, ScoreCampaign
	}
	v := scored{c.Conditional(ageDays, ageDays+s.horizon), basis}
	s.cache[k] = v
	return v.p, v.basis
}

// prospectLess orders prospects best first: higher probability, then the
// earlier registration, then the user id, so the ranking is deterministic.
func prospectLess(a, b *Prospect) bool {
	if a.Probability != b.Probability {
		return a.Probability > b.Probability
	}
	if !a.RegisteredAt.Equal(b.RegisteredAt) {
		return a.RegisteredAt.Before(b.RegisteredAt)
	}
	return a.UserID < b.UserID
}

// Ranking collects prospects and returns them best first. With a limit it
// keeps only the best limit prospects in a heap (memory O(limit)); without
// one it keeps them all, since a complete ranking needs every score.
type Ranking struct {
	limit int
	h     worstFirst
	n     int64
	// intern shares channel and campaign strings between prospects.
	intern map[string]string
}

// NewRanking returns a ranking of the best limit prospects, or of all of
// them when limit <= 0.
func NewRanking(limit int) *Ranking {
	return &Ranking{limit: limit, intern: map[string]string{}}
}

func (r *Ranking) share(s string) string {
	if v, ok := r.intern[s]; ok {
		return v
	}
	r.intern[s] = s
	return s
}

// Add offers one prospect to the ranking.
func (r *Ranking) Add(p Prospect) {
	r.n++
	p.Channel, p.Campaign, p.Basis = r.share(p.Channel), r.share(p.Campaign), r.share(p.Basis)
	if r.limit <= 0 || len(r.h) < r.limit {
		heap.Push(&r.h, p)
		return
	}
	if prospectLess(&p, &r.h[0]) {
		r.h[0] = p
		heap.Fix(&r.h, 0)
	}
}

// Seen returns how many prospects were offered.
func (r *Ranking) Seen() int64 { return r.n }

// Result returns the kept prospects, best first.
func (r *Ranking) Result() []Prospect {
	out := make([]Prospect, len(r.h))
	copy(out, r.h)
	sort.Slice(out, func(i, j int) bool { return prospectLess(&out[i], &out[j]) })
	return out
}

// worstFirst is a heap whose root is the worst kept prospect.
type worstFirst []Prospect

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return prospectLess(&h[j], &h[i]) }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(Prospect)) }
func (h *worstFirst) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}

// ScoredGroup is a set of prospects sharing one score (a channel,
// campaign and age) and what they did in the horizon after scoring.
type ScoredGroup struct {
	Score     float64
	Users     int64
	Converted int64
}

// CalibrationBin is one decile of a backtest: the prospects ranked in
// (Decile−1)·10% … Decile·10% by score.
type CalibrationBin struct {
	Decile       int     // 1 = the best-scored 10%
	Users        float64 // a tenth of all users (fractional where a group straddles deciles)
	MeanScore    float64 // mean predicted probability
	ObservedRate float64 // share that made a first purchase in the horizon
}

// Backtest measures prospect scores made at an earlier as_of against what
// happened in the following horizon days (docs/METRICS-COHORTS.md,
// "Backtest"). Prospects with equal scores are in no particular order, so
// every figure that cuts through a group of equal scores counts that group
// proportionally (the expected value over its orderings).
type Backtest struct {
	// AsOf is the scoring instant (the run's as_of − HorizonDays) and
	// OutcomeEnd = AsOf + HorizonDays: a first purchase in (AsOf,
	// OutcomeEnd] inside the window counts as converted.
	AsOf        time.Time
	OutcomeEnd  time.Time
	HorizonDays int
	// CurvePopulation is the registrations the scoring curves used.
	CurvePopulation [2]time.Time
	Users           int64
	Converted       int64
	BaseRate        Ratio // Converted / Users
	// TopN is the cut of PrecisionAtN: the share of the TopN best-scored
	// prospects that converted.
	TopN         int64
	PrecisionAtN Ratio
	// TopDecileRate is the conversion of the best-scored 10%;
	// TopDecileLift = TopDecileRate / BaseRate (1 = no better than
	// random).
	TopDecileRate Ratio
	TopDecileLift Ratio
	// Deciles are the calibration table, best decile first.
	Deciles []CalibrationBin
	// CalibrationError is the user-weighted mean of |MeanScore −
	// ObservedRate| over the deciles; MaxCalibrationGap the largest.
	CalibrationError  Ratio
	MaxCalibrationGap Ratio
}

// EvaluateBacktest computes the backtest figures of scored groups (the
// instants are left to the caller). Groups with the same score — other
// channels, campaigns or ages whose hazards give an identical probability,
// or single users of the event model with identical features — are one
// tie: they are merged before ranking, so that a cut through the tie
// (a decile edge, the top N) takes its share of the tie's users and
// conversions across all of those groups (docs/METRICS-COHORTS.md,
// "Backtest"), and the figures do not depend on the order of groups.
// Scores are compared exactly: different probabilities, however close,
// are ranked.
func EvaluateBacktest(groups []ScoredGroup, topN int64) Backtest {
	g := make([]ScoredGroup, 0, len(groups))
	byScore := map[float64]int{}
	var b Backtest
	for _, x := range groups {
		if x.Users <= 0 {
			continue
		}
		b.Users += x.Users
		b.Converted += x.Converted
		if i, ok := byScore[x.Score]; ok {
			g[i].Users += x.Users
			g[i].Converted += x.Converted
			continue
		}
		byScore[x.Score] = len(g)
		g = append(g, x)
	}
	sort.SliceStable(g, func(i, j int) bool { return g[i].Score > g[j].Score })
	b.BaseRate = ratio(float64(b.Converted), float64(b.Users))
	b.TopN = min(topN, b.Users)
	if b.Users == 0 {
		return b
	}
	// slice returns the users, expected conversions and summed scores of
	// the ranks [lo, hi), cutting groups proportionally.
	slice := func(lo, hi float64) (users, conv, score float64) {
		var start float64
		for _, x := range g {
			end := start + float64(x.Users)
			if overlap := math.Min(end, hi) - math.Max(start, lo); overlap > 0 {
				users += overlap
				conv += overlap * float64(x.Converted) / float64(x.Users)
				score += overlap * x.Score
			}
			start = end
		}
		return users, conv, score
	}
	n := float64(b.Users)
	if b.TopN > 0 {
		u, c, _ := slice(0, float64(b.TopN))
		b.PrecisionAtN = ratio(c, u)
	}
	var errSum float64
	for d := 0; d < 10; d++ {
		u, c, s := slice(n*float64(d)/10, n*float64(d+1)/10)
		if u == 0 {
			continue
		}
		bin := CalibrationBin{Decile: d + 1, Users: u, MeanScore: s / u, ObservedRate: c / u}
		b.Deciles = append(b.Deciles, bin)
		gap := math.Abs(bin.MeanScore - bin.ObservedRate)
		errSum += u * gap
		if !b.MaxCalibrationGap.Valid || gap > b.MaxCalibrationGap.Value {
			b.MaxCalibrationGap = Ratio{Value: gap, Valid: true}
		}
		if d == 0 {
			b.TopDecileRate = Ratio{Value: bin.ObservedRate, Valid: true}
		}
	}
	b.CalibrationError = ratio(errSum, n)
	if b.TopDecileRate.Valid && b.BaseRate.Valid && b.BaseRate.Value > 0 {
		b.TopDecileLift = Ratio{Value: b.TopDecileRate.Value / b.BaseRate.Value, Valid: true}
	}
	return b
}

// BacktestGroups scores the open registrations of curves built at the
// backtest's as_of with an outcome end (CurveRow.OpenNext): one group per
// campaign (or channel, without campaigns) and age.
func BacktestGroups(curves CurveSet, scorer *Scorer) []ScoredGroup {
	src := curves.Campaigns
	if len(src) == 0 {
		src = curves.Channels
	}
	var out []ScoredGroup
	for _, c := range src {
		for a := 0; a < curves.WindowDays; a++ {
			if c.Open[a] == 0 {
				continue
			}
			p, _ := scorer.Score(c.Channel, c.Campaign, a)
			out = append(out, ScoredGroup{Score: p, Users: c.Open[a], Converted: c.OpenNext[a]})
		}
	}
	return out
}
