package attribution

import (
	"context"
	"time"
)

// ProspectsRequest is what ScoreProspects computes: every prospect at AsOf
// scored for a first purchase in the next HorizonDays, ranked.
type ProspectsRequest struct {
	AsOf        time.Time
	WindowDays  int
	HorizonDays int
	// Top keeps only the best Top prospects (all when <= 0).
	Top int
	// BacktestTopN is the cut of the backtest's precision.
	BacktestTopN int64
	// Channels names the channels of raw labels as a report does
	// (ReportRequest.Channels); nil keeps them normalised only.
	Channels *ChannelMapping
}

// ProspectsResult is the ranking, how many prospects were scored, the
// event model (nil without [events] or without conversions to learn from)
// and the backtest of the survival scores at AsOf − horizon.
type ProspectsResult struct {
	Ranked   []Prospect
	Scored   int64
	Model    *EventModel
	Backtest Backtest
}

// ScoreProspects reads the curves of the prospect scores in one pass and
// scores every prospect at AsOf (docs/METRICS-COHORTS.md, "Prospects"):
// the path of origen prospects, and of a report's prospect list.
func ScoreProspects(ctx context.Context, snap Snapshot, req ProspectsRequest) (ProspectsResult, error) {
	snap, _ = withLabels(snap, req.Channels)
	w := req.WindowDays
	fr := FactsRequest{AsOf: req.AsOf, Location: time.UTC, WindowDays: w,
		Curves: prospectSpecs(req.AsOf, w, req.HorizonDays, snap.HasEvents())}
	in := prospectInputs{asOf: req.AsOf, windowDays: w, horizonDays: req.HorizonDays, top: req.Top, topN: req.BacktestTopN,
		events: snap.HasEvents()}
	ranking := in.survivalRanking(&fr, 0)
	facts, err := snap.ReadFacts(ctx, fr)
	if err != nil {
		return ProspectsResult{}, err
	}
	in.curves = facts.Curves
	return scoreProspects(ctx, snap, in, ranking)
}

// survivalRanking makes the pass of fr stream its prospects, scored with
// the survival scorer of its spec-th curves (which the pass has read before
// the first prospect arrives), into the ranking it returns. With [events]
// the prospects are scored by the event model instead, from their own
// statement, and it returns nil.
func (in prospectInputs) survivalRanking(fr *FactsRequest, spec int) *prospectRanking {
	if in.events {
		return nil
	}
	r := &prospectRanking{in: in, spec: spec, ranking: NewRanking(in.top)}
	fr.OnProspect = r.add
	return r
}

// prospectRanking ranks the prospects of a pass by their survival score.
type prospectRanking struct {
	in      prospectInputs
	spec    int
	scorer  *Scorer
	ranking *Ranking
}

func (r *prospectRanking) add(f *Facts, o OpenRegistration) error {
	if r.scorer == nil {
		set, err := BuildCurves(f.Curves[r.spec], r.in.windowDays)
		if err != nil {
			return err
		}
		r.scorer = NewScorer(set, r.in.horizonDays)
	}
	ch := NormalizeChannel(o.Channel, o.ChannelValid)
	camp := NormalizeCampaign(o.Campaign, o.CampaignValid)
	age := ageDays(r.in.asOf, o.RegisteredAt)
	p, basis := r.scorer.Score(ch, camp, age)
	r.ranking.Add(Prospect{UserID: o.UserID, Channel: ch, Campaign: camp, RegisteredAt: o.RegisteredAt,
		AgeDays: age, Probability: p, Basis: basis})
	return nil
}

// prospectSpecs are the curve specifications of prospect scores at asOf
// (ProspectCurveWindow, every registration of it counted as open), of
// their backtest at asOf − horizon with the outcome up to asOf, and, with
// events, of the event model's own backtest one horizon earlier still.
func prospectSpecs(asOf time.Time, w, horizon int, events bool) []CurveSpec {
	h := time.Duration(horizon) * 24 * time.Hour
	specs := []CurveSpec{ProspectCurveSpec(asOf, asOf, w), ProspectCurveSpec(asOf.Add(-h), asOf, w)}
	if events {
		specs = append(specs, ProspectCurveSpec(asOf.Add(-2*h), asOf.Add(-h), w))
	}
	return specs
}

// ProspectCurveSpec is the curve specification of prospect scores at asOf
// (ProspectCurveWindow, every registration of it counted as open); an
// outcomeEnd after asOf makes it a backtest's.
func ProspectCurveSpec(asOf, outcomeEnd time.Time, w int) CurveSpec {
	start, end := ProspectCurveWindow(asOf, w)
	return CurveSpec{AsOf: asOf, PopulationStart: start, PopulationEnd: end, OpenStart: start, OpenEnd: end, OutcomeEnd: outcomeEnd}
}

// prospectInputs are the settings of one scoring, with the curve rows of
// prospectSpecs in their order.
type prospectInputs struct {
	asOf                    time.Time
	windowDays, horizonDays int
	top                     int
	topN                    int64
	events                  bool // score with the event model ([events] mapped)
	curves                  [][]CurveRow
}

// scorerAt builds the survival scorer of the i-th prospect curve spec.
func (in prospectInputs) scorerAt(i int) (*Scorer, CurveSet, error) {
	set, err := BuildCurves(in.curves[i], in.windowDays)
	if err != nil {
		return nil, set, err
	}
	return NewScorer(set, in.horizonDays), set, nil
}

// scoreProspects finishes the scoring: the event model's ranking when
// events are mapped (and there is a model), else the survival ranking that
// the pass filled, and the survival scores' backtest.
func scoreProspects(ctx context.Context, snap Snapshot, in prospectInputs, survival *prospectRanking) (ProspectsResult, error) {
	var res ProspectsResult
	h := time.Duration(in.horizonDays) * 24 * time.Hour
	if in.events {
		model, err := in.fitEventModel(ctx, snap, in.asOf.Add(-h), in.asOf, 1)
		if err != nil {
			return res, err
		}
		res.Model = model
	}
	ranking := NewRanking(in.top)
	if res.Model != nil {
		err := in.eventRows(ctx, snap, in.asOf, in.asOf, 0, func(r ProspectActivity, ch, camp string, age int, _ float64, basis string, x []float64) error {
			ranking.Add(Prospect{UserID: r.UserID, Channel: ch, Campaign: camp, RegisteredAt: r.RegisteredAt,
				AgeDays: age, Probability: res.Model.Predict(x), Basis: basis})
			return nil
		})
		if err != nil {
			return res, err
		}
		if err := in.eventBacktest(ctx, snap, res.Model); err != nil {
			return res, err
		}
	} else if in.events {
		// No model to learn (no conversions): the survival scores stand
		// alone, from the prospects' own statement.
		err := in.eventRows(ctx, snap, in.asOf, in.asOf, 0, func(r ProspectActivity, ch, camp string, age int, p float64, basis string, _ []float64) error {
			ranking.Add(Prospect{UserID: r.UserID, Channel: ch, Campaign: camp, RegisteredAt: r.RegisteredAt,
				AgeDays: age, Probability: p, Basis: basis})
			return nil
		})
		if err != nil {
			return res, err
		}
	} else {
		ranking = survival.ranking
	}
	res.Ranked, res.Scored = ranking.Result(), ranking.Seen()

	// The backtest of the survival scores: the prospects of asOf − horizon
	// scored with the curves of that instant, against what they did up to
	// asOf (all of it inside the snapshot; nothing after asOf is read).
	scorer, set, err := in.scorerAt(1)
	if err != nil {
		return res, err
	}
	scoredAt := in.asOf.Add(-h)
	res.Backtest = EvaluateBacktest(BacktestGroups(set, scorer), in.topN)
	res.Backtest.AsOf, res.Backtest.OutcomeEnd, res.Backtest.HorizonDays = scoredAt, in.asOf, in.horizonDays
	start, end := ProspectCurveWindow(scoredAt, in.windowDays)
	res.Backtest.CurvePopulation = [2]time.Time{start, end}
	return res, nil
}

// ageDays is a registration's age at asOf in whole days, in microseconds
// exactly as the curves query ages it.
func ageDays(asOf, registeredAt time.Time) int {
	return int((asOf.UnixMicro() - registeredAt.UnixMicro()) / (24 * 3600 * 1000000))
}

// eventRows reads the prospects at asOf with their activity and outcome up
// to outcomeEnd and passes each one's features (EventFeatures, with the
// survival score of the spec-th prospect curves) to fn.
func (in prospectInputs) eventRows(ctx context.Context, snap Snapshot, asOf, outcomeEnd time.Time, spec int,
	fn func(r ProspectActivity, ch, camp string, age int, survival float64, basis string, x []float64) error) error {
	scorer, _, err := in.scorerAt(spec)
	if err != nil {
		return err
	}
	w := in.windowDays
	return snap.ReadProspectEvents(ctx, asOf, outcomeEnd, w, func(r ProspectActivity) error {
		ch := NormalizeChannel(r.Channel, r.ChannelValid)
		camp := NormalizeCampaign(r.Campaign, r.CampaignValid)
		age := ageDays(asOf, r.RegisteredAt)
		p, basis := scorer.Score(ch, camp, age)
		return fn(r, ch, camp, age, p, basis, EventFeatures(r.Activity, p, asOf, w))
	})
}

// fitEventModel fits the event model on the prospects at scoredAt and what
// they did up to outcomeEnd; nil when none or all of them converted.
func (in prospectInputs) fitEventModel(ctx context.Context, snap Snapshot, scoredAt, outcomeEnd time.Time, spec int) (*EventModel, error) {
	var x [][]float64
	var y []float64
	var converted int
	err := in.eventRows(ctx, snap, scoredAt, outcomeEnd, spec,
		func(r ProspectActivity, _, _ string, _ int, _ float64, _ string, f []float64) error {
			x = append(x, f)
			if r.Converted {
				y = append(y, 1)
				converted++
			} else {
				y = append(y, 0)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	if converted == 0 || converted == len(y) {
		// Nothing to learn from (no prospects, or all or none converted):
		// no model, the survival score stands alone.
		return nil, nil
	}
	m, err := NewEventModel(x, y, in.windowDays)
	if err != nil {
		return nil, Errorf(KindData, "[events]: event model at %s: %v", scoredAt.Format(time.RFC3339), err)
	}
	m.TrainedOn = [2]time.Time{scoredAt, outcomeEnd}
	return m, nil
}

// eventBacktest is the model's out-of-time backtest: a model fitted one
// horizon earlier still, applied to the prospects of asOf − horizon (none
// when that earlier fit has nothing to learn from).
func (in prospectInputs) eventBacktest(ctx context.Context, snap Snapshot, model *EventModel) error {
	h := time.Duration(in.horizonDays) * 24 * time.Hour
	earlier, err := in.fitEventModel(ctx, snap, in.asOf.Add(-2*h), in.asOf.Add(-h), 2)
	if err != nil || earlier == nil {
		return err
	}
	var groups []ScoredGroup
	err = in.eventRows(ctx, snap, in.asOf.Add(-h), in.asOf, 1,
		func(r ProspectActivity, _, _ string, _ int, _ float64, _ string, x []float64) error {
			g := ScoredGroup{Score: earlier.Predict(x), Users: 1}
			if r.Converted {
				g.Converted = 1
			}
			groups = append(groups, g)
			return nil
		})
	if err != nil {
		return err
	}
	bt := EvaluateBacktest(groups, in.topN)
	bt.AsOf, bt.OutcomeEnd, bt.HorizonDays = in.asOf.Add(-h), in.asOf, in.horizonDays
	bt.CurvePopulation = earlier.TrainedOn
	model.Backtest = &bt
	return nil
}
