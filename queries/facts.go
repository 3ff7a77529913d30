package queries

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/origen-analytics/origen/attribution"
)

// rawBound is an instant as a bound parameter for the filters on a
// source's own time column (registered_at_f, purchased_at_f): on SQLite the
// normalised microseconds; on PostgreSQL the instant, which the server
// reads as the column's type (a timestamp without zone holds UTC), or for
// a date column the first date at or after it (lower bounds) or the date
// it falls on (upper bounds, inclusive): both exact, since a date stands
// for its midnight UTC (METRICS.md, "Time").
func (r Reader) rawBound(section, canon string, t time.Time, lower bool) any {
	if !typedRaw(r.Dialect) {
		return t.UnixMicro()
	}
	if r.Dialect == MySQL {
		return r.mysqlBound(section, canon, t, lower)
	}
	t = t.UTC()
	if r.Types[section][canon] == "DATE" {
		d := t.Truncate(24 * time.Hour)
		if lower && d.Before(t) {
			d = d.Add(24 * time.Hour)
		}
		return d.Format("2006-01-02")
	}
	return t
}

// rangeArgs are the parameters of first_registrations for the
// registrations in [start, end) up to asOf, following purchases for
// followDays after registering.
func (r Reader) rangeArgs(start, end, asOf time.Time, windowDays, followDays int) map[string]any {
	last := end.Add(-time.Microsecond)
	if last.After(asOf) {
		last = asOf
	}
	reg, pur := RegistrationsInput.Section, PurchasesInput.Section
	return map[string]any{
		"range_start_raw": r.rawBound(reg, "registered_at", start, true), "range_last_raw": r.rawBound(reg, "registered_at", last, false),
		"reg_as_of_raw": r.rawBound(reg, "registered_at", asOf, false), "pur_as_of_raw": r.rawBound(pur, "purchased_at", asOf, false),
		"range_start": start.UnixMicro(), "range_end": end.UnixMicro(), "as_of": asOf.UnixMicro(),
		"window_us": int64(windowDays) * microsPerDay, "follow_us": int64(max(windowDays, followDays)) * microsPerDay,
	}
}

// ReadFacts runs facts.sql: the one pass over the per-user facts of every
// range req names, aggregated per part (see the file's comment).
func (r Reader) ReadFacts(ctx context.Context, db DBTX, req attribution.FactsRequest, timeout time.Duration) (attribution.Facts, error) {
	var out attribution.Facts
	p, err := r.factsPlan(req)
	if err != nil {
		return out, err
	}
	out.Curves = make([][]attribution.CurveRow, len(req.Curves))
	out.HasBudgetWeeks = p.args["budget"] == int64(1)
	for _, d := range r.Mapping.Registrations.Dimensions {
		out.Dimensions = append(out.Dimensions, attribution.DimensionFacts{Name: d})
	}
	err = r.run(ctx, db, p, timeout, func(rows *sqlx.Rows) error {

		var (
			part       int64
			ch, camp   sql.NullString
			k1, k2, k3 int64
			v          [8]int64
			user       sql.NullString
			pAt        []int64
			pUsers     string
		)
		dest := []any{&part, &ch, &camp, &k1, &k2, &k3, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &user}
		if r.Dialect == ClickHouse {
			dest = append(dest, &pAt, &pUsers)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		switch {
		case part == 99 && r.Dialect == ClickHouse:
			// A channel's and campaign's prospects in one row
			// (clickhouse/facts.sql).
			for _, at := range pAt {
				var uid string
				var ok bool
				if uid, pUsers, ok = nextLengthPrefixed(pUsers); !ok {
					return fmt.Errorf("prospects of channel %q: the users do not match their %d instants", ch.String, len(pAt))
				}
				err := req.OnProspect(&out, attribution.OpenRegistration{UserID: uid, Channel: ch.String, ChannelValid: ch.Valid,
					Campaign: camp.String, CampaignValid: camp.Valid, RegisteredAt: time.UnixMicro(at).UTC()})
				if err != nil {
					return err
				}
			}
			if pUsers != "" {
				return fmt.Errorf("prospects of channel %q: more users than their %d instants", ch.String, len(pAt))
			}
			return nil
		case part == 30:
			out.BudgetWeeks = append(out.BudgetWeeks, attribution.BudgetWeekRow{Channel: ch.String, ChannelValid: ch.Valid, Week: epochDay(k1),
				OpenDay: int(k2), Registrations: v[0], Customers: v[1], Revenue: attribution.Money(v[2])})
		case part == 99:
			return req.OnProspect(&out, attribution.OpenRegistration{UserID: user.String, Channel: ch.String, ChannelValid: ch.Valid,
				Campaign: camp.String, CampaignValid: camp.Valid, RegisteredAt: time.UnixMicro(v[0]).UTC()})
		case part == 1 || part == 2:
			row := attribution.CohortRow{Channel: ch.String, ChannelValid: ch.Valid, Existing: k1 == 1, Days: int(k2),
				Immature: k3 == 1, Count: v[0], Duplicates: v[1], Revenue: attribution.Money(v[2])}
			if part == 1 {
				out.Cohort = append(out.Cohort, row)
			} else {
				out.Previous = append(out.Previous, row)
			}
		case part == 3:
			out.Days = append(out.Days, attribution.DailyRow{Channel: ch.String, ChannelValid: ch.Valid,
				Date: epochDay(k1), Registrations: v[0], Customers: v[1], Immature: v[7],
				Revenue: attribution.Money(v[6]), ConvertedBy: [attribution.NumCohortDays]int64{v[2], v[3], v[4], v[5]}})
		case part == 4 || part == 5 || part > 20 && int(part-21) < len(out.Dimensions):
			r.addDrill(&out, part, attribution.DrillRow{CohortRow: attribution.CohortRow{Channel: ch.String, ChannelValid: ch.Valid,
				Existing: k1 == 1, Days: int(k2), Immature: k3 == 1, Count: v[0], Duplicates: v[1], Revenue: attribution.Money(v[2])},
				Value: camp.String, ValueValid: camp.Valid, Value2: user.String, Value2Valid: user.Valid})
		case part >= 10 && int(part-10) < len(out.Curves):
			i := part - 10
			out.Curves[i] = append(out.Curves[i], attribution.CurveRow{Channel: ch.String, ChannelValid: ch.Valid,
				Campaign: camp.String, CampaignValid: camp.Valid, Day: int(k1),
				Converted: v[0], Censored: v[1], Open: v[2], OpenNext: v[3]})
		}
		return nil
	})
	return out, err
}

// factsPlan is facts.sql for req.
func (r Reader) factsPlan(req attribution.FactsRequest) (plan, error) {
	w := req.WindowDays
	if w <= 0 {
		return plan{}, fmt.Errorf("read facts: window of %d days", w)
	}
	if len(req.Curves) > attribution.MaxCurveSpecs {
		return plan{}, fmt.Errorf("read facts: %d curve specifications, at most %d", len(req.Curves), attribution.MaxCurveSpecs)
	}
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	var start, end time.Time
	widen := func(s, e time.Time) {
		if !s.Before(e) {
			return
		}
		if start.IsZero() || s.Before(start) {
			start = s
		}
		if e.After(end) {
			end = e
		}
	}
	bounds := func(p attribution.Period) (int64, int64) {
		if p.Days() <= 0 {
			return 0, 0
		}
		s, e := p.Bounds(loc)
		widen(s, e)
		return s.UnixMicro(), e.UnixMicro()
	}
	ps, pe := bounds(req.Period)
	qs, qe := bounds(req.Previous)
	// The budget's lookback (part 30); ClickHouse's pass has no part 30,
	// its budget reads budget_weeks.sql on its own.
	var bs, be int64
	if req.BudgetWeeks.Days() > 0 && r.Dialect != ClickHouse {
		if req.BudgetWeeks.Days()%7 != 0 {
			return plan{}, fmt.Errorf("read facts: budget lookback %s is not a whole number of weeks", req.BudgetWeeks)
		}
		bs, be = bounds(req.BudgetWeeks)
	}
	specs := make([]map[string]int64, attribution.MaxCurveSpecs)
	for i := range specs {
		specs[i] = map[string]int64{"part": int64(i), "as_of": 0, "pop_start": 0, "pop_end": 0, "open_start": 0, "open_end": 0, "outcome_end": 0}
		if i >= len(req.Curves) {
			continue
		}
		c := req.Curves[i]
		if c.AsOf.After(req.AsOf) || c.OutcomeEnd.After(req.AsOf) {
			return plan{}, fmt.Errorf("read facts: curve specification %d reads past the data cutoff %s", i+1, req.AsOf.Format(time.RFC3339Nano))
		}
		outcome := c.OutcomeEnd
		if outcome.Before(c.AsOf) {
			outcome = c.AsOf
		}
		widen(c.PopulationStart, c.PopulationEnd)
		specs[i] = map[string]int64{"part": int64(i), "as_of": c.AsOf.UnixMicro(),
			"pop_start": c.PopulationStart.UnixMicro(), "pop_end": c.PopulationEnd.UnixMicro(),
			"open_start": c.OpenStart.UnixMicro(), "open_end": c.OpenEnd.UnixMicro(), "outcome_end": outcome.UnixMicro()}
	}
	if req.OnProspect != nil {
		widen(req.AsOf.Add(-time.Duration(w)*24*time.Hour), req.AsOf.Add(time.Microsecond))
	}
	// The range always ends at as_of, so that every later registration of
	// a user of the range is a candidate: first_registrations counts them
	// as the user's duplicates.
	widen(start, req.AsOf.Add(time.Microsecond))
	if start.IsZero() {
		start, end = req.AsOf, req.AsOf
	}
	args := r.rangeArgs(start, end, req.AsOf, w, attribution.MaxCohortDay)
	for i, s := range specs {
		for k, v := range s {
			args[fmt.Sprintf("s%d_%s", i+1, k)] = v
		}
	}
	args["p_start"], args["p_end"], args["q_start"], args["q_end"] = ps, pe, qs, qe
	args["b_start"], args["b_end"], args["budget"] = bs, be, int64(0)
	if be > bs {
		args["budget"] = int64(1)
	}
	args["window_days"] = int64(w)
	args["dimensions"] = int64(len(r.Mapping.Registrations.Dimensions))
	args["prospects"] = 0
	if req.OnProspect != nil {
		args["prospects"] = 1
	}
	for i, n := range attribution.CohortDays() {
		args[fmt.Sprintf("by%d_us", i+1)] = int64(n) * microsPerDay
	}
	// LocalDay is the local date of the period's and the budget
	// lookback's registrations (origen_days, parts 3 and 30; ClickHouse's
	// pass has no budget and reads it for the period).
	extra := map[string]string{"LocalDay": "0"}
	var ds, de time.Time
	if pe > ps {
		ds, de = req.Period.Bounds(loc)
	}
	if be > bs {
		s, e := req.BudgetWeeks.Bounds(loc)
		if ds.IsZero() || s.Before(ds) {
			ds = s
		}
		if e.After(de) {
			de = e
		}
	}
	if de.After(ds) {
		extra["LocalDay"] = r.localDay("reg_us", loc, ds, de)
	}
	return plan{name: "facts", args: args, extra: extra}, nil
}

// ReadSpend runs spend.sql: spend per raw channel label and date of p. A
// negative amount is refused as a data error.
func (r Reader) ReadSpend(ctx context.Context, db DBTX, p attribution.Period, timeout time.Duration) ([]attribution.DailySpendRow, error) {
	if r.Mapping.Spend == nil {
		return nil, nil
	}
	var out []attribution.DailySpendRow
	type negative struct {
		rows  int64
		first attribution.Date
	}
	_, perCampaign := r.Mapping.Spend.columnOf(column{name: "campaign", optional: true})
	neg := map[string]*negative{}
	var order []string
	err := r.run(ctx, db, r.spendPlan(p), timeout, func(rows *sqlx.Rows) error {
		var (
			ch, camp                    sql.NullString
			d, amount, n, negativeCount int64
		)
		if err := rows.Scan(&ch, &d, &camp, &amount, &n, &negativeCount); err != nil {
			return err
		}
		if negativeCount > 0 {
			label := attribution.NormalizeChannel(ch.String, ch.Valid)
			g, ok := neg[label]
			if !ok {
				g = &negative{first: epochDay(d)}
				neg[label] = g
				order = append(order, label)
			}
			g.rows += negativeCount
			if epochDay(d).Before(g.first) {
				g.first = epochDay(d)
			}
		}
		out = append(out, attribution.DailySpendRow{Channel: ch.String, ChannelValid: ch.Valid, Date: epochDay(d),
			Amount: attribution.Money(amount), Rows: n, Campaign: camp.String, CampaignValid: camp.Valid, PerCampaign: perCampaign})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(order) > 0 {
		g := neg[order[0]]
		return nil, attribution.Errorf(attribution.KindData,
			"[spend] has %d rows with a negative amount for channel %q (first on %s): spend must be >= 0; fix the source or exclude them with sql =",
			g.rows, attribution.ReadableLabel(order[0]), g.first)
	}
	return out, nil
}

// spendPlan is spend.sql for the dates of p.
func (r Reader) spendPlan(p attribution.Period) plan {
	day := func(d attribution.Date) time.Time { return time.Unix(d.Unix()*86400, 0).UTC() }
	pl := plan{name: "spend", args: map[string]any{"from_day": p.From.Unix(), "to_day": p.To.Unix(),
		"from_raw": r.rawDay(day(p.From.AddDays(-1))), "to_raw": r.rawDay(day(p.To.AddDays(1)))}}
	if (r.Dialect == SQLite || r.Dialect == MySQL) && r.Location != nil {
		from, to := day(p.From.AddDays(-2)), day(p.To.AddDays(2))
		pl.extra = map[string]string{"SpendKeyed": r.Mapping.Spend.keyedSQLWith(r.Dialect, SpendInput, false,
			func(micros string) string { return r.localDay(micros, r.Location, from, to) })}
	}
	return pl
}

// rawDay is a date as a bound parameter for the filter on the spend
// source's own date column (see rawBound); on SQLite, days since 1970.
func (r Reader) rawDay(t time.Time) any {
	switch r.Dialect {
	case Postgres:
		return t
	case MySQL:
		return t.Format("2006-01-02")
	}
	return t.Unix() / 86400
}

// prospectsRange is the registrations of the prospects at asOf: younger
// than the window.
func (r Reader) prospectsArgs(asOf time.Time, windowDays int) map[string]any {
	start := asOf.Add(-time.Duration(windowDays)*24*time.Hour + time.Microsecond)
	return r.rangeArgs(start, asOf.Add(time.Microsecond), asOf, windowDays, windowDays)
}

// ReadProspectEvents streams the open registrations at asOf with their
// activity from the [events] mapping (events after asOf are ignored) and
// whether they made a first purchase in (asOf, outcomeEnd] inside the
// window (outcomeEnd = asOf: never). It needs Mapping.Events.
func (r Reader) ReadProspectEvents(ctx context.Context, db DBTX, asOf, outcomeEnd time.Time, windowDays int, timeout time.Duration,
	fn func(attribution.ProspectActivity) error) error {
	if r.Mapping.Events == nil {
		return fmt.Errorf("read prospect events: no [events] mapping")
	}
	if windowDays <= 0 {
		return fmt.Errorf("read prospect events: window of %d days", windowDays)
	}
	if outcomeEnd.Before(asOf) {
		outcomeEnd = asOf
	}
	args := r.prospectsArgs(asOf, windowDays)
	args["recent_start"] = asOf.UnixMicro() - attribution.EventRecentDays*microsPerDay
	args["outcome_end"] = outcomeEnd.UnixMicro()
	args["pur_outcome_end_raw"] = r.rawBound(PurchasesInput.Section, "purchased_at", outcomeEnd, false)
	return r.run(ctx, db, plan{name: "prospect_events", args: args}, timeout, func(rows *sqlx.Rows) error {
		var (
			user, ch, camp  sql.NullString
			at, recent, tot int64
			last            sql.NullInt64
			conv            int64
		)
		if err := rows.Scan(&user, &ch, &camp, &at, &recent, &tot, &last, &conv); err != nil {
			return err
		}
		a := attribution.ProspectActivity{OpenRegistration: attribution.OpenRegistration{UserID: user.String, Channel: ch.String, ChannelValid: ch.Valid,
			Campaign: camp.String, CampaignValid: camp.Valid, RegisteredAt: time.UnixMicro(at).UTC()},
			Activity: attribution.EventActivity{Recent: recent, Total: tot}, Converted: conv != 0}
		if last.Valid {
			a.Activity.Last = time.UnixMicro(last.Int64).UTC()
		}
		return fn(a)
	})
}

// detailPlan is detail.sql for the cohort of req.Period.
func (r Reader) detailPlan(req attribution.DetailRequest) plan {
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	start, end := req.Period.Bounds(loc)
	return plan{name: "detail", args: r.rangeArgs(start, end, req.AsOf, req.WindowDays, req.WindowDays)}
}

// DetailStatement renders the detail query of req without running it, for
// the report's audit trail (the workbook lists it before it streams).
func (r Reader) DetailStatement(req attribution.DetailRequest) (Statement, error) {
	p := r.detailPlan(req)
	q, args, err := r.prepare(p.name, p.args, p.extra)
	return Statement{Name: p.name, SQL: q, Args: args}, err
}

// ReadDetail runs detail.sql and hands the period's cohort to yield one
// registration at a time, in registration order (then user), as the rows
// arrive: nothing is held but the current row, so a million registrations
// take no more memory than ten. In the snapshot of the report, the rows
// add up to its cohort per channel (registrations, customers, revenue). It
// stops at yield's first error and returns it.
func (r Reader) ReadDetail(ctx context.Context, db DBTX, req attribution.DetailRequest, timeout time.Duration, yield func(attribution.DetailRow) error) error {
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	w := int64(req.WindowDays) * microsPerDay
	label := attribution.ChannelLabels(attribution.NormalizeChannel)
	if req.Labels != nil {
		label = req.Labels
	}
	return r.run(ctx, db, r.detailPlan(req), timeout, func(rows *sqlx.Rows) error {
		var (
			user, channel     sql.NullString
			registered        int64
			first             sql.NullInt64
			revenue, immature int64
		)
		if err := rows.Scan(&user, &registered, &channel, &first, &revenue, &immature); err != nil {
			return err
		}
		d := attribution.DetailRow{
			UserID:       user.String,
			RegisteredAt: time.UnixMicro(registered).In(loc),
			Channel:      label(channel.String, channel.Valid),
			Days:         -1,
			Revenue:      attribution.Money(revenue),
			Immature:     immature == 1,
		}
		// METRICS.md: a first purchase inside the window converts, on day
		// floor((t − registered_at) / 24 h).
		if first.Valid && first.Int64-registered < w {
			d.ConvertedAt = time.UnixMicro(first.Int64).In(loc)
			d.Days = int((first.Int64 - registered) / microsPerDay)
		}
		return yield(d)
	})
}
