package main

import (
	"context"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

// prospectScorerAt builds the survival scorer of prospects at asOf (the
// curves of the registrations before it, docs/METRICS-COHORTS.md).
func prospectScorerAt(ctx context.Context, tx queries.DBTX, reader queries.Reader, cfg *config, asOf time.Time, horizon int) (*attribution.Scorer, error) {
	rows, _, err := reader.ReadCurves(ctx, tx, queries.ProspectCurveParams(asOf, time.Time{}, cfg.WindowDays, cfg.StatementTimeout))
	if err != nil {
		return nil, err
	}
	set, err := attribution.BuildCurves(rows, cfg.WindowDays)
	if err != nil {
		return nil, err
	}
	return attribution.NewScorer(set, horizon), nil
}

// eventRows reads the prospects at asOf with their activity and outcome up
// to outcomeEnd and passes each one's features (attribution.EventFeatures,
// with the survival score of the curves at asOf) to fn.
func eventRows(ctx context.Context, tx queries.DBTX, reader queries.Reader, cfg *config, asOf, outcomeEnd time.Time, horizon int,
	fn func(r queries.ProspectActivity, ch, camp string, age int, survival float64, basis string, x []float64) error) error {
	scorer, err := prospectScorerAt(ctx, tx, reader, cfg, asOf, horizon)
	if err != nil {
		return err
	}
	w := cfg.WindowDays
	_, err = reader.ReadProspectEvents(ctx, tx, asOf, outcomeEnd, w, cfg.StatementTimeout, func(r queries.ProspectActivity) error {
		ch := attribution.NormalizeChannel(r.Channel, r.ChannelValid)
		camp := attribution.NormalizeCampaign(r.Campaign, r.CampaignValid)
		age := int((asOf.UnixMicro() - r.RegisteredAt.UnixMicro()) / (24 * 3600 * 1000000))
		p, basis := scorer.Score(ch, camp, age)
		return fn(r, ch, camp, age, p, basis, attribution.EventFeatures(r.Activity, p, asOf, w))
	})
	return err
}

// fitEventModel fits the event model on the prospects at scoredAt and what
// they did up to outcomeEnd; nil when none or all of them converted.
func fitEventModel(ctx context.Context, tx queries.DBTX, reader queries.Reader, cfg *config, scoredAt, outcomeEnd time.Time, horizon int) (*attribution.EventModel, error) {
	var x [][]float64
	var y []float64
	err := eventRows(ctx, tx, reader, cfg, scoredAt, outcomeEnd, horizon,
		func(r queries.ProspectActivity, _, _ string, _ int, _ float64, _ string, f []float64) error {
			x = append(x, f)
			if r.Converted {
				y = append(y, 1)
			} else {
				y = append(y, 0)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	var converted int
	for _, v := range y {
		converted += int(v)
	}
	if converted == 0 || converted == len(y) {
		// Nothing to learn from (no prospects, or all or none converted):
		// no model, the survival score stands alone.
		return nil, nil
	}
	m, err := attribution.NewEventModel(x, y, cfg.WindowDays)
	if err != nil {
		return nil, attribution.Errorf(attribution.KindData, "[events]: event model at %s: %v", scoredAt.Format(time.RFC3339), err)
	}
	m.TrainedOn = [2]time.Time{scoredAt, outcomeEnd}
	return m, nil
}

// scoreProspectsWithEvents is scoreProspects when [events] is mapped: the
// event model fitted on the prospects of asOf − horizon (outcome up to
// asOf) scores the prospects at asOf; its out-of-time backtest (fitted one
// horizon earlier still, applied to the prospects of asOf − horizon) is the
// model's Backtest (nil when that earlier fit has nothing to learn from).
// When the model itself has nothing to learn from (no conversions), the
// survival scores stand alone and the model is nil.
func scoreProspectsWithEvents(ctx context.Context, tx queries.DBTX, reader queries.Reader, cfg *config, asOf time.Time, horizon, top int, topN int64) ([]attribution.Prospect, int64, *attribution.EventModel, error) {
	h := time.Duration(horizon) * 24 * time.Hour
	model, err := fitEventModel(ctx, tx, reader, cfg, asOf.Add(-h), asOf, horizon)
	if err != nil {
		return nil, 0, nil, err
	}
	if model == nil {
		ranked, n, err := scoreProspects(ctx, tx, reader, cfg, asOf, horizon, top)
		return ranked, n, nil, err
	}
	ranking := attribution.NewRanking(top)
	err = eventRows(ctx, tx, reader, cfg, asOf, asOf, horizon,
		func(r queries.ProspectActivity, ch, camp string, age int, _ float64, basis string, x []float64) error {
			ranking.Add(attribution.Prospect{UserID: r.UserID, Channel: ch, Campaign: camp, RegisteredAt: r.RegisteredAt,
				AgeDays: age, Probability: model.Predict(x), Basis: basis})
			return nil
		})
	if err != nil {
		return nil, 0, nil, err
	}
	earlier, err := fitEventModel(ctx, tx, reader, cfg, asOf.Add(-2*h), asOf.Add(-h), horizon)
	if err != nil || earlier == nil {
		return ranking.Result(), ranking.Seen(), model, err
	}
	var groups []attribution.ScoredGroup
	err = eventRows(ctx, tx, reader, cfg, asOf.Add(-h), asOf, horizon,
		func(r queries.ProspectActivity, _, _ string, _ int, _ float64, _ string, x []float64) error {
			g := attribution.ScoredGroup{Score: earlier.Predict(x), Users: 1}
			if r.Converted {
				g.Converted = 1
			}
			groups = append(groups, g)
			return nil
		})
	if err != nil {
		return nil, 0, nil, err
	}
	bt := attribution.EvaluateBacktest(groups, topN)
	bt.AsOf, bt.OutcomeEnd, bt.HorizonDays = asOf.Add(-h), asOf, horizon
	bt.CurvePopulation = earlier.TrainedOn
	model.Backtest = &bt
	return ranking.Result(), ranking.Seen(), model, nil
}
