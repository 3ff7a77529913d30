package attribution

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"
)

// ReportRequest is what BuildReport computes: the period, the data
// cutoff and the report's settings.
type ReportRequest struct {
	Period   Period
	AsOf     time.Time
	Location *time.Location
	Timezone string
	Currency Currency
	// WindowDays is the conversion window W (METRICS.md).
	WindowDays int
	Targets    Targets
	// Cohort is the grain of the Cohorts sheet (default month).
	Cohort CohortGrain
	// HorizonDays is the prospects' horizon (default DefaultHorizonDays).
	HorizonDays int
	// TopProspects is how many prospects the report lists (default
	// DefaultReportProspects; negative: no prospects and no backtest).
	TopProspects int
	// SpendFile, when set, is the spend instead of the database's.
	SpendFile *SpendTable
	// Calendar is the kind of Period (a named month, quarter, week or
	// month-to-date; else a span of days) and Comparison what it is
	// compared with (default the previous one): ComparisonPeriod.
	Calendar   Calendar
	Comparison Comparison
	// AllowEmpty writes a report with nothing to show: without it, an
	// as-of before the period starts, or a registrations source with no
	// rows, is a data error (a scheduled run never delivers an empty
	// report silently).
	AllowEmpty bool
	// Channels, when set, maps the raw channel labels of every row to the
	// report's channel names before anything is computed (grouping by
	// source, medium and campaign, aliases, merging; docs/CHANNELS.md).
	Channels *ChannelMapping
	// Paid says which channels are paid beyond those with spend
	// ([channels] paid and unpaid; PaidRule).
	Paid PaidRule
	// Budget, when set, plans the budget of the paid channels
	// (docs/BUDGET.md) into Report.Budget.
	Budget *BudgetRequest
	// LTVCohortMonths is [ltv] cohort_months (the configuration's default
	// is 24; 0 computes no lifetime-value section) and GrossMargin [report]
	// gross_margin (default 1): docs/LTV.md.
	LTVCohortMonths int
	GrossMargin     GrossMargin
	// Touch are the [attribution] settings of the multi-touch section,
	// read when the snapshot has touchpoints (TouchSnapshot).
	Touch TouchSettings
	// Version and GeneratedAt are stamped on the report.
	Version     string
	GeneratedAt time.Time
	Log         *slog.Logger
}

// DefaultReportProspects is the length of a report's prospect list; origen
// prospects writes the complete list.
const DefaultReportProspects = 100

// DefaultHorizonDays is the default horizon of prospect scores.
const DefaultHorizonDays = 7

func (r ReportRequest) withDefaults() ReportRequest {
	if r.Cohort == "" {
		r.Cohort = CohortMonth
	}
	if r.Comparison == "" {
		r.Comparison = ComparePrevious
	}
	if r.HorizonDays <= 0 {
		r.HorizonDays = DefaultHorizonDays
	}
	if r.TopProspects == 0 {
		r.TopProspects = DefaultReportProspects
	}
	if r.Location == nil {
		r.Location = time.UTC
	}
	if r.Log == nil {
		r.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return r
}

// PreviousPeriod is the period of the same length just before p: what a
// report compares with.
func PreviousPeriod(p Period) Period {
	return Period{From: p.From.AddDays(-p.Days()), To: p.From}
}

// The curve specifications of a report's pass, by index.
const (
	specReport = iota
	specProspects
	specBacktest
	specEventsEarlier
)

// BuildReport reads one snapshot and computes the whole report: the
// channel table of the period, the comparison period, the conversion
// curves and projection, cohorts and trend, the best prospects and their
// backtest, and the notes. The per-user facts are read once, in one pass
// over the union of the ranges these need (Snapshot.ReadFacts).
func BuildReport(ctx context.Context, snap Snapshot, req ReportRequest) (Report, error) {
	req = req.withDefaults()
	log, w := req.Log, req.WindowDays
	t0 := time.Now()
	if start, _ := req.Period.Bounds(req.Location); !req.AllowEmpty && req.AsOf.Before(start) {
		return Report{}, Errorf(KindData, "as-of %s is before the period %s starts: no registration of it exists yet (give a later --as-of, or --allow-empty / allow_empty = true to write the empty report)",
			req.AsOf.Format(time.RFC3339), req.Period)
	}
	touchSnap, _ := snap.(TouchSnapshot)
	raw := snap
	snap, labels := withLabels(snap, req.Channels)
	named := func(s Snapshot) Snapshot {
		if labels == nil {
			return s
		}
		return labeledSnapshot{Snapshot: s, l: labels}
	}
	prev, rule, compare := ComparisonPeriod(req.Period, req.Calendar, req.Comparison)
	cp := ReportCurvePeriod(req.Period, w)
	fr := ReportFacts(req.Period, req.AsOf, req.Location, w, req.HorizonDays, snap.HasEvents())
	fr.Previous = prev
	if req.Budget != nil {
		fr.BudgetWeeks = BudgetLookback(req.Period, req.AsOf, req.Location, req.Budget.lookbackWeeks())
	}
	pin := prospectInputs{asOf: req.AsOf, windowDays: w, horizonDays: req.HorizonDays, top: req.TopProspects,
		topN: int64(req.TopProspects), events: snap.HasEvents()}
	var survival *prospectRanking
	if req.TopProspects < 0 {
		fr.Curves = fr.Curves[:1]
	} else {
		survival = pin.survivalRanking(&fr, specProspects)
	}
	spendRange := req.Period
	if compare && prev.From.Before(spendRange.From) {
		spendRange.From = prev.From
	}
	spendRange = budgetSpendRange(req, spendRange)
	spendFile := req.SpendFile

	// The report's reads, in the order a sequential run takes them (and
	// Statements lists them), each with the reads it needs first
	// (pipeline_reads.go): run side by side on forks of the snapshot when
	// it has them.
	g := newReads(ctx, raw, log)
	defer g.close()
	// The reads see the request as it is now: the report's own goroutine
	// changes req below.
	rq := req
	var (
		quality   DataQuality
		warnings  []string
		facts     Facts
		spendDays []DailySpendRow
		weekRows  []BudgetWeekRow
		pr        ProspectsResult
		paths     *pathsRead
		ltvFacts  LTVFacts
		touchRaws []string
		pathsTook time.Duration
	)
	readQuality := g.add("quality", lightRead, nil, func(ctx context.Context, s Snapshot) (err error) {
		quality, warnings, err = s.ReadQuality(ctx, rq.AsOf)
		return err
	})
	readFacts := g.add("facts", passRead, nil, func(ctx context.Context, s Snapshot) (err error) {
		facts, err = named(s).ReadFacts(ctx, fr)
		return err
	})
	readSpend := g.add("spend", lightRead, nil, func(ctx context.Context, s Snapshot) (err error) {
		if spendFile == nil && raw.HasSpend() {
			spendDays, err = s.ReadSpend(ctx, spendRange)
		}
		return err
	})
	// Spend labels are named after the pass: the spellings of the
	// registrations come first ([channels] merge_case).
	nameSpend := g.add("spend labels", noRead, []*read{readFacts, readSpend}, func(context.Context, Snapshot) error {
		if spendFile != nil {
			file := *spendFile
			if labels != nil {
				file.Days = labels.mapSpend(file.Days)
			}
			spendFile = &file
			spendDays = DaysIn(file.Days, spendRange)
		} else if labels != nil {
			spendDays = labels.mapSpend(spendDays)
		}
		return nil
	})
	var readWeeks, readProspects, readTouch, readPaths, readLTV *read
	if req.Budget != nil {
		readWeeks = g.add("budget weeks", lightRead, []*read{readFacts}, func(ctx context.Context, s Snapshot) (err error) {
			weekRows, err = budgetWeeks(ctx, s, rq, facts)
			return err
		})
	}
	if req.TopProspects >= 0 {
		readProspects = g.add("prospects", lightRead, []*read{readFacts, nameSpend}, func(ctx context.Context, s Snapshot) (err error) {
			t1 := time.Now()
			in := pin
			in.curves = facts.Curves[specProspects:]
			if pr, err = scoreProspects(ctx, named(s), in, survival); err != nil {
				return err
			}
			log.Info("prospects scored", "prospects", pr.Scored, "listed", len(pr.Ranked),
				"backtest_top_decile_lift", pr.Backtest.TopDecileLift.Value, "duration", time.Since(t1).Round(time.Millisecond))
			return nil
		})
	}
	touch := req.Touch.WithDefaults()
	preq := PathsRequest{Period: req.Period, Location: req.Location, AsOf: req.AsOf, WindowDays: req.WindowDays,
		ByRegistration: touch.Conversion == ConversionRegistration, LookbackDays: touch.LookbackDays}
	if touchSnap != nil && touchSnap.HasTouchpoints() {
		readTouch = g.add("touch channels", heavyRead, nil, func(ctx context.Context, s Snapshot) (err error) {
			if err := touch.Validate(); err != nil {
				return fmt.Errorf("multi-touch attribution: %w", err)
			}
			ts, ok := s.(TouchSnapshot)
			if !ok {
				return fmt.Errorf("multi-touch attribution: a fork of the snapshot reads no touchpoints")
			}
			if touchRaws, err = readTouchLabels(ctx, ts, preq); err != nil {
				return fmt.Errorf("multi-touch attribution: %w", err)
			}
			return nil
		})
		// The paths are aggregated by channel name in the database: with
		// merge_case the names wait for the spellings of the pass and the
		// spend; otherwise they depend on the raw label alone.
		deps := []*read{readTouch}
		var label ChannelLabels
		if labels != nil {
			label = labels.name
			if labels.m.MergeCase {
				deps = append(deps, nameSpend)
			}
		}
		readPaths = g.add("paths", heavyRead, deps, func(ctx context.Context, s Snapshot) (err error) {
			ts, ok := s.(TouchSnapshot)
			if !ok {
				return fmt.Errorf("multi-touch attribution: a fork of the snapshot reads no touchpoints")
			}
			t1 := time.Now()
			if paths, err = streamPaths(ctx, ts, preq, touch, label, touchRaws); err != nil {
				return fmt.Errorf("multi-touch attribution: %w", err)
			}
			pathsTook = time.Since(t1)
			return nil
		})
	}
	if req.LTVCohortMonths > 0 {
		readLTV = g.add("lifetime value", passRead, nil, func(ctx context.Context, s Snapshot) (err error) {
			ltvFacts, err = readReportLTV(ctx, s, rq)
			return err
		})
	}

	if err := g.get(readQuality); err != nil {
		return Report{}, err
	}
	if !req.AllowEmpty && quality.RegistrationRows == 0 {
		return Report{}, Errorf(KindData, "the registrations source has no rows: check [registrations] (table or sql), or give --allow-empty / allow_empty = true to write the empty report")
	}
	if err := g.get(nameSpend); err != nil {
		return Report{}, err
	}
	req.SpendFile = spendFile
	// Spend dated after as-of's local date does not exist for the report,
	// like registrations and purchases after it (METRICS.md, "Time").
	spendDays, late := spendUpTo(spendDays, DateOf(req.AsOf.In(req.Location)))
	if req.SpendFile != nil {
		quality.SpendRows = req.SpendFile.Rows
	}
	log.Info("data read", "statements", len(snap.Statements()), "registration_rows", quality.RegistrationRows,
		"purchase_rows", quality.PurchaseRows, "duration", time.Since(t0).Round(time.Millisecond))

	compute := func(p Period, cohort []CohortRow) (Report, error) {
		q := quality
		var spend []SpendRow
		spend, q.SpendRowsInPeriod = SpendOver(spendDays, p)
		// Sums of money that overflow are a data error, never a wrapped
		// number (ComputeChecked).
		rep, err := ComputeChecked(Inputs{Period: p, AsOf: req.AsOf, Timezone: req.Timezone, Currency: req.Currency,
			WindowDays: w, Cohort: cohort, Spend: spend, Quality: q})
		if err != nil {
			return Report{}, err
		}
		rep.Quality.PaidWithoutSpend = PaidWithoutSpend(rep.Channels)
		rep.SpendDays = SpendByDay(spendDays, p)
		rep.Version, rep.GeneratedAt = req.Version, req.GeneratedAt
		return rep, ApplyPaid(&rep, req.Paid)
	}
	rep, err := compute(req.Period, facts.Cohort)
	if err != nil {
		return Report{}, err
	}
	rep.Notes = append(rep.Notes, warnings...)
	if late.rows > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d spend rows dated after as-of (%s), %s %s in all, were not counted",
			late.rows, DateOf(req.AsOf.In(req.Location)), late.amount.Format(req.Currency.Digits), req.Currency.Code))
	}
	rep.Notes = append(rep.Notes, cohortNotes(rep)...)
	rep.Notes = append(rep.Notes, labelVariantNotes(rep)...)
	rep.Notes = append(rep.Notes, paidWithoutSpendNotes(rep)...)
	if labels != nil {
		rep.Labels = labels.name
		rep.Notes = append(rep.Notes, labels.notes()...)
	}

	// Registration quality over time (docs/METRICS-COHORTS.md).
	set, err := BuildCurves(facts.Curves[specReport], w)
	if err != nil {
		return Report{}, err
	}
	rep.CurvePeriod = cp
	rep.Curves = orderCurves(set.Channels, rep.Channels)
	rep.CurvesTotal = set.All
	Project(&rep, set)
	rep.Notes = append(rep.Notes, projectionNotes(rep)...)
	if err := drillDownReport(&rep, facts, req, set, spendDays); err != nil {
		return Report{}, err
	}
	in := CohortInputs{Period: req.Period, Grain: req.Cohort, Location: req.Location, AsOf: req.AsOf, WindowDays: w}
	for _, m := range rep.Channels {
		in.Order = append(in.Order, m.Channel)
	}
	periodSpend := DaysIn(spendDays, req.Period)
	rep.CohortGrain = req.Cohort
	rep.Cohorts, rep.CohortTotals = Cohorts(facts.Days, periodSpend, in)
	in.Grain = CohortWeek
	rep.Trend, rep.TrendTotals = Cohorts(facts.Days, periodSpend, in)
	log.Info("curves and cohorts computed", "curves", len(rep.Curves), "cohorts", len(rep.Cohorts))
	if req.Budget != nil {
		if err := g.get(readWeeks); err != nil {
			return Report{}, err
		}
		if rep.Budget, err = buildBudget(req, weekRows, spendDays, set, rep.Labels); err != nil {
			return Report{}, err
		}
		rep.Notes = append(rep.Notes, rep.Budget.Notes...)
	}

	if req.TopProspects >= 0 {
		if err := g.get(readProspects); err != nil {
			return Report{}, err
		}
		rep.ProspectsHorizonDays = req.HorizonDays
		rep.Prospects, rep.ProspectsScored, rep.EventModel, rep.Backtest = pr.Ranked, pr.Scored, pr.Model, &pr.Backtest
	}

	if readPaths != nil {
		if err := g.get(readPaths); err != nil {
			return Report{}, err
		}
		if rep.MultiTouch, err = paths.finish(rep); err != nil {
			return Report{}, fmt.Errorf("multi-touch attribution: %w", err)
		}
		log.Info("multi-touch attributed", "paths", rep.MultiTouch.Paths, "converting_paths", rep.MultiTouch.ConvertingPaths,
			"duration", pathsTook.Round(time.Millisecond))
	}

	// The comparison period, from the same pass and the same snapshot.
	rep.Targets = req.Targets
	if compare {
		previous, err := compute(prev, facts.Previous)
		if err != nil {
			return Report{}, fmt.Errorf("previous period %s: %w", prev, err)
		}
		rep.Previous, rep.ComparisonRule = &previous, rule
	}
	rep.Notes = append(rep.Notes, comparisonNotes(rep)...)
	rep.Notes = append(rep.Notes, paidNotes(rep, req.Paid)...)
	if req.LTVCohortMonths > 0 {
		t1 := time.Now()
		if err := g.get(readLTV); err != nil {
			return Report{}, err
		}
		// Named last, as a sequential run names them: the labels found only
		// in the cohort spend are learnt here.
		if labels != nil {
			labels.mapLTV(&ltvFacts)
		}
		if rep.LTV, err = buildReportLTV(req, ltvFacts); err != nil {
			return Report{}, err
		}
		log.Info("lifetime value computed", "cohort_months", rep.LTV.CohortMonths, "channels", len(rep.LTV.Channels),
			"duration", time.Since(t1).Round(time.Millisecond))
	}
	for _, n := range rep.Notes {
		log.Warn(n)
	}
	return rep, nil
}

// ReportFacts is the one pass of a report on period at asOf: its cohort,
// the previous period's (of the same length; BuildReport sets the one its
// comparison names), and the curves of the projection (the report
// curve period, its open registrations those of the period), of the
// prospect scores and of their backtest.
func ReportFacts(period Period, asOf time.Time, loc *time.Location, w, horizonDays int, events bool) FactsRequest {
	fr := FactsRequest{AsOf: asOf, Location: loc, WindowDays: w, Period: period, Previous: PreviousPeriod(period)}
	popStart, popEnd := ReportCurvePeriod(period, w).Bounds(loc)
	openStart, openEnd := period.Bounds(loc)
	fr.Curves = append(fr.Curves, CurveSpec{AsOf: asOf, PopulationStart: popStart, PopulationEnd: popEnd,
		OpenStart: openStart, OpenEnd: openEnd})
	fr.Curves = append(fr.Curves, prospectSpecs(asOf, w, horizonDays, events)...)
	return fr
}

// lateSpend is what spendUpTo left out.
type lateSpend struct {
	rows   int64
	amount Money
}

// spendUpTo keeps the daily spend dated on or before last and sums what it
// drops.
func spendUpTo(days []DailySpendRow, last Date) ([]DailySpendRow, lateSpend) {
	var late lateSpend
	kept := days[:0:0]
	for _, d := range days {
		if last.Before(d.Date) {
			late.rows += d.Rows
			late.amount += d.Amount
			continue
		}
		kept = append(kept, d)
	}
	return kept, late
}

// orderCurves puts the curves in the order of the channel table; curves of
// channels that only registered before the period follow by name.
func orderCurves(curves []Curve, channels []ChannelMetrics) []Curve {
	byName := map[string]Curve{}
	for _, c := range curves {
		byName[c.Channel] = c
	}
	var out []Curve
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

// cohortNotes are the findings of Compute that a reader should see.
func cohortNotes(r Report) []string {
	var notes []string
	q := r.Quality
	if q.DuplicateRegistrations > 0 {
		notes = append(notes, fmt.Sprintf("%d later duplicate registrations of the period's users were ignored (the earliest registration counts)", q.DuplicateRegistrations))
	}
	if q.ExistingCustomers > 0 {
		notes = append(notes, fmt.Sprintf("%d registrations of users who had bought before registering were left out of the cohort", q.ExistingCustomers))
	}
	if q.NoChannel > 0 {
		notes = append(notes, fmt.Sprintf("%d registrations have no channel and are reported as %s", q.NoChannel, NoChannel))
	}
	for _, ch := range q.SpendWithoutRegistrations {
		var spend Money
		for _, m := range r.Channels {
			if m.Channel == ch {
				spend = m.Spend
			}
		}
		notes = append(notes, fmt.Sprintf("channel %q has spend but no registrations in the period (%s %s): check that spend and registrations name the channel the same way",
			ch, spend.Format(r.Currency.Digits), r.Currency.Code))
	}
	if r.Total.Immature > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d registrations are younger than the %d-day window at as-of: their channels' conversion rates are still understated",
			r.Total.Immature, r.Total.Registrations, r.WindowDays))
	}
	return notes
}

// projectionNotes state what the projection rests on, next to the numbers.
func projectionNotes(r Report) []string {
	if r.Total.Immature == 0 {
		return nil
	}
	notes := []string{fmt.Sprintf("projected conversion rates and costs per customer count each of the %d immature registrations with its probability of converting before day %d, read off its channel's Kaplan–Meier curve of the registrations from %s to %s (95%% intervals)",
		r.Total.Immature, r.WindowDays, r.CurvePeriod.From, r.CurvePeriod.To.AddDays(-1))}
	for _, m := range r.Channels {
		switch {
		case m.Registrations > 0 && m.ProjectionCurve == ProjectionAllChannels:
			notes = append(notes, fmt.Sprintf("channel %q has too little history for its own curve (nobody followed for %d days): its projection uses the curve of all channels", m.Channel, r.WindowDays))
		case m.Registrations > 0 && m.ProjectionCurve == ProjectionNone:
			notes = append(notes, fmt.Sprintf("channel %q: no projection, no registration has been followed for %d days yet", m.Channel, r.WindowDays))
		}
	}
	return notes
}

// comparisonNotes warn where the comparison with the previous period or
// the targets could mislead.
func comparisonNotes(r Report) []string {
	var notes []string
	if p := r.Previous; p != nil && r.Total.Immature > p.Total.Immature && r.Total.Registrations > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d registrations of this period are younger than the %d-day window, against %d in the previous period (%s): part of a fall in conversion rate is immaturity",
			r.Total.Immature, r.Total.Registrations, r.WindowDays, p.Total.Immature, p.Period))
	}
	seen := map[string]bool{}
	for _, m := range r.Channels {
		seen[m.Channel] = true
	}
	if r.Previous != nil {
		for _, m := range r.Previous.Channels {
			seen[m.Channel] = true
		}
	}
	names := make([]string, 0, len(r.Targets.Channels))
	for name := range r.Targets.Channels {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !seen[name] {
			notes = append(notes, fmt.Sprintf("[targets.channel.%q] names a channel with no rows in this period or the previous one: check the spelling (names are matched exactly, after trimming)", name))
		}
	}
	return notes
}
