package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/queries"
)

// maturityOptions are the options of the analyses of registration quality
// over time that ride along with a report (docs/METRICS-COHORTS.md):
// conversion curves, projection, cohorts, weekly trend, the best prospects
// and their backtest.
type maturityOptions struct {
	// Cohort is the grain of the Cohorts sheet (default month).
	Cohort attribution.CohortGrain
	// HorizonDays is the prospects' horizon (default 7).
	HorizonDays int
	// TopProspects is how many prospects the report's Prospects sheet
	// lists (default DefaultReportProspects; negative: none).
	TopProspects int
}

// DefaultReportProspects is the length of the report's Prospects sheet;
// origen prospects writes the complete list.
const DefaultReportProspects = 100

// DefaultHorizonDays is the default horizon of prospect scores.
const DefaultHorizonDays = 7

func (o maturityOptions) withDefaults() maturityOptions {
	if o.Cohort == "" {
		o.Cohort = attribution.CohortMonth
	}
	if o.HorizonDays <= 0 {
		o.HorizonDays = DefaultHorizonDays
	}
	if o.TopProspects == 0 {
		o.TopProspects = DefaultReportProspects
	}
	return o
}

// addMaturity reads the curves, cohorts, prospects and backtest of rep's
// period in tx (the report's snapshot) and adds them to rep.
func addMaturity(ctx context.Context, tx queries.DBTX, reader queries.Reader, cfg *config, rep *attribution.Report, o maturityOptions, log *slog.Logger) error {
	o = o.withDefaults()
	t0 := time.Now()
	period, asOf, w := rep.Period, rep.AsOf, cfg.WindowDays

	cp := attribution.ReportCurvePeriod(period, w)
	popStart, popEnd := cp.Bounds(cfg.Location)
	openStart, openEnd := period.Bounds(cfg.Location)
	rows, _, err := reader.ReadCurves(ctx, tx, queries.CurveParams{AsOf: asOf, WindowDays: w,
		PopulationStart: popStart, PopulationEnd: popEnd, OpenStart: openStart, OpenEnd: openEnd,
		QueryTimeout: cfg.StatementTimeout})
	if err != nil {
		return err
	}
	set, err := attribution.BuildCurves(rows, w)
	if err != nil {
		return err
	}
	rep.CurvePeriod = cp
	rep.Curves = orderCurves(set.Channels, rep.Channels)
	rep.CurvesTotal = set.All
	attribution.Project(rep, set)
	rep.Notes = append(rep.Notes, projectionNotes(*rep)...)

	cres, err := reader.ReadCohorts(ctx, tx, queries.Params{Period: period, Location: cfg.Location, AsOf: asOf,
		WindowDays: w, QueryTimeout: cfg.StatementTimeout})
	if err != nil {
		return err
	}
	spend := cres.Spend
	if cfg.SpendFile != "" {
		f, err := os.Open(cfg.SpendFile)
		if err != nil {
			return attribution.Errorf(attribution.KindConfig, "[spend] file: %w", err)
		}
		spend, err = queries.ReadSpendCSVDaily(f, cfg.SpendFile, period)
		f.Close()
		if err != nil {
			return err
		}
	}
	in := attribution.CohortInputs{Period: period, Grain: o.Cohort, Location: cfg.Location, AsOf: asOf, WindowDays: w}
	for _, m := range rep.Channels {
		in.Order = append(in.Order, m.Channel)
	}
	rep.CohortGrain = o.Cohort
	rep.Cohorts, rep.CohortTotals = attribution.Cohorts(cres.Days, spend, in)
	in.Grain = attribution.CohortWeek
	rep.Trend, rep.TrendTotals = attribution.Cohorts(cres.Days, spend, in)
	log.Info("curves and cohorts read", "curves", len(rep.Curves), "cohorts", len(rep.Cohorts),
		"duration", time.Since(t0).Round(time.Millisecond))

	if o.TopProspects < 0 {
		return nil
	}
	t0 = time.Now()
	rep.ProspectsHorizonDays = o.HorizonDays
	if cfg.Mapping.Events != nil {
		rep.Prospects, rep.ProspectsScored, rep.EventModel, err = scoreProspectsWithEvents(ctx, tx, reader, cfg, asOf, o.HorizonDays, o.TopProspects, int64(o.TopProspects))
	} else {
		rep.Prospects, rep.ProspectsScored, err = scoreProspects(ctx, tx, reader, cfg, asOf, o.HorizonDays, o.TopProspects)
	}
	if err != nil {
		return err
	}
	bt, err := backtestProspects(ctx, tx, reader, cfg, asOf, o.HorizonDays, int64(o.TopProspects))
	if err != nil {
		return err
	}
	rep.Backtest = &bt
	log.Info("prospects scored", "prospects", rep.ProspectsScored, "listed", len(rep.Prospects),
		"backtest_top_decile_lift", ratioText(bt.TopDecileLift), "duration", time.Since(t0).Round(time.Millisecond))
	return nil
}

// orderCurves puts the curves in the order of the channel table; curves of
// channels that only registered before the period follow by name.
func orderCurves(curves []attribution.Curve, channels []attribution.ChannelMetrics) []attribution.Curve {
	byName := map[string]attribution.Curve{}
	for _, c := range curves {
		byName[c.Channel] = c
	}
	var out []attribution.Curve
	for _, m := range channels {
		if c, ok := byName[m.Channel]; ok {
			out = append(out, c)
			delete(byName, m.Channel)
		}
	}
	for _, c := range curves {
		if _, ok := byName[c.Channel]; ok {
			out = append(out, c)
		}
	}
	return out
}

// projectionNotes state what the projection rests on, next to the numbers.
func projectionNotes(r attribution.Report) []string {
	if r.Total.Immature == 0 {
		return nil
	}
	notes := []string{fmt.Sprintf("projected conversion rates and costs per customer count each of the %d immature registrations with its probability of converting before day %d, read off its channel's Kaplan–Meier curve of the registrations from %s to %s (95%% intervals)",
		r.Total.Immature, r.WindowDays, r.CurvePeriod.From, r.CurvePeriod.To.AddDays(-1))}
	for _, m := range r.Channels {
		switch {
		case m.Registrations > 0 && m.ProjectionCurve == attribution.ProjectionAllChannels:
			notes = append(notes, fmt.Sprintf("channel %q has too little history for its own curve (nobody followed for %d days): its projection uses the curve of all channels", m.Channel, r.WindowDays))
		case m.Registrations > 0 && m.ProjectionCurve == attribution.ProjectionNone:
			notes = append(notes, fmt.Sprintf("channel %q: no projection, no registration has been followed for %d days yet", m.Channel, r.WindowDays))
		}
	}
	return notes
}
