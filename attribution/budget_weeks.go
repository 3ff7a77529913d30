package attribution

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// The weekly data of the budget plan (docs/BUDGET.md, "Data"): per paid
// channel and local ISO week of the lookback, spend, registrations,
// customers and projected customers, turned into PlanBudget's input.

// Objectives of a budget plan ([budget] objective).
const (
	BudgetObjectiveCustomers = "customers"
	BudgetObjectiveRevenue   = "revenue"
)

// DefaultBudgetLookbackWeeks is [budget] lookback_weeks' default.
const DefaultBudgetLookbackWeeks = 26

// BudgetRequest is ReportRequest.Budget: the settings of [budget].
type BudgetRequest struct {
	// Objective is BudgetObjectiveCustomers (default) or
	// BudgetObjectiveRevenue (window revenue).
	Objective string
	// LookbackWeeks is how many whole ISO weeks before the period's end
	// the curves read (default DefaultBudgetLookbackWeeks).
	LookbackWeeks int
	Options       BudgetOptions
	// Limits are the min / max of [budget.channel."Name"], by channel name.
	Limits map[string]BudgetLimits
}

// BudgetLimits are a channel's hard limits on its suggested weekly spend.
type BudgetLimits struct {
	Min, Max       Money
	HasMin, HasMax bool
}

// DefaultBudgetRequest is [budget] with every default.
func DefaultBudgetRequest() BudgetRequest {
	return BudgetRequest{Objective: BudgetObjectiveCustomers, LookbackWeeks: DefaultBudgetLookbackWeeks, Options: DefaultBudgetOptions()}
}

// BudgetWeeksRequest is what Snapshot.ReadBudgetWeeks reads: the
// registrations of the local dates Weeks (whole ISO weeks, Monday to
// Monday), followed up to AsOf.
type BudgetWeeksRequest struct {
	Weeks      Period
	Location   *time.Location
	AsOf       time.Time
	WindowDays int
}

// BudgetWeekRow is one row of Snapshot.ReadBudgetWeeks: the registrations
// of a raw channel label in the ISO week starting on Week. OpenDay is, for
// registrations still inside the window at as-of without a first purchase,
// their age in whole days at as-of; −1 for all others.
type BudgetWeekRow struct {
	Channel       string
	ChannelValid  bool
	Week          Date
	OpenDay       int
	Registrations int64
	Customers     int64
	Revenue       Money
}

// BudgetWeekData is one week of one channel as its fit used it.
type BudgetWeekData struct {
	Week          Date
	Spend         Money
	Registrations int64
	Customers     int64
	// Open counts the week's registrations still inside the window
	// without a purchase; ProjectedCustomers is Customers plus their
	// Kaplan–Meier probability of converting (= Customers when Open is 0).
	Open               int64
	ProjectedCustomers float64
	Revenue            Money
	// Outcome is what the curve is fitted to: ProjectedCustomers, or for
	// the revenue objective Revenue plus the projected extra customers at
	// the channel's revenue per customer (docs/BUDGET.md, "Data").
	Outcome float64
}

// BudgetChannelData is the weekly data of one paid channel, oldest first,
// and the curve its immature weeks were projected with (a Projection*
// value).
type BudgetChannelData struct {
	Channel    string
	Projection string
	Weeks      []BudgetWeekData
}

// Budget is Report.Budget: the plan, its moves and the data it used.
type Budget struct {
	Objective     string
	LookbackWeeks int
	// Weeks is the lookback's local dates, whole ISO weeks.
	Weeks Period
	Plan  BudgetPlan
	Moves []BudgetMove
	// Data has one entry per channel of Plan.Channels, in the same order.
	Data  []BudgetChannelData
	Notes []string
}

// BudgetLookback returns the local dates of the lookback of a report on
// period at asOf: the lookbackWeeks whole ISO weeks ending on the Monday
// on or before the period's end, or on or before the day after as-of's
// local date when that is earlier: a week that as-of has not reached the
// last day of is not a week of data (as-of's own date counts, as its spend
// does).
func BudgetLookback(period Period, asOf time.Time, loc *time.Location, lookbackWeeks int) Period {
	end := period.To
	if next := DateOf(asOf.In(loc)).AddDays(1); next.Before(end) {
		end = next
	}
	end = mondayOf(end)
	return Period{From: end.AddDays(-7 * lookbackWeeks), To: end}
}

// mondayOf returns the Monday of d's ISO week (1970-01-01 was a Thursday).
func mondayOf(d Date) Date {
	u := d.Unix()
	return d.AddDays(-int(((u+3)%7 + 7) % 7))
}

// BudgetInputs turns the lookback's spend and registration rows into
// PlanBudget's input: the paid channels (spend > 0 in some week of the
// lookback), the most spend first, with one week each per ISO week of
// weeks. Spend rows and registration rows carry raw labels, named by name;
// open registrations are projected with the channel's curve of set when it
// is complete, else the pooled curve. It also returns the data per channel
// and notes on what the data lacked.
func BudgetInputs(req BudgetRequest, weeks Period, spend []DailySpendRow, rows []BudgetWeekRow, set CurveSet, name ChannelLabels) ([]BudgetChannelInput, []BudgetChannelData, []string) {
	if name == nil {
		name = NormalizeChannel
	}
	n := weeks.Days() / 7
	type acc struct {
		data  []BudgetWeekData
		open  [][]int64 // per week, open registrations by age
		total Money
	}
	byName := map[string]*acc{}
	get := func(ch string) *acc {
		a, ok := byName[ch]
		if !ok {
			a = &acc{data: make([]BudgetWeekData, n), open: make([][]int64, n)}
			for i := range a.data {
				a.data[i].Week = weeks.From.AddDays(7 * i)
			}
			byName[ch] = a
		}
		return a
	}
	index := func(d Date) int {
		i := int(d.Unix()-weeks.From.Unix()) / 7
		if d.Before(weeks.From) || i >= n {
			return -1
		}
		return i
	}
	for _, d := range spend {
		i := index(d.Date)
		if i < 0 || d.Amount == 0 {
			continue
		}
		a := get(name(d.Channel, d.ChannelValid))
		a.data[i].Spend += d.Amount
		a.total += d.Amount
	}
	var notes []string
	var paid []string
	for ch, a := range byName {
		if a.total > 0 {
			paid = append(paid, ch)
		}
	}
	slices.SortFunc(paid, func(x, y string) int {
		if c := cmp.Compare(byName[y].total, byName[x].total); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	for _, r := range rows {
		a, ok := byName[name(r.Channel, r.ChannelValid)]
		i := index(r.Week)
		if !ok || a.total <= 0 || i < 0 {
			continue
		}
		w := &a.data[i]
		w.Registrations += r.Registrations
		w.Customers += r.Customers
		w.Revenue += r.Revenue
		if r.OpenDay >= 0 {
			w.Open += r.Registrations
			if a.open[i] == nil {
				a.open[i] = make([]int64, set.All.WindowDays+1)
			}
			if r.OpenDay < len(a.open[i]) {
				a.open[i][r.OpenDay] += r.Registrations
			}
		}
	}
	inputs := make([]BudgetChannelInput, 0, len(paid))
	data := make([]BudgetChannelData, 0, len(paid))
	for _, ch := range paid {
		a := byName[ch]
		c, ok := set.Channel(ch)
		proj := ProjectionChannel
		switch {
		case ok && c.Complete():
		case set.All.Complete():
			c, proj = set.All, ProjectionAllChannels
		default:
			proj = ProjectionNone
		}
		var open int64
		var revenue Money
		var customers int64
		for i := range a.data {
			w := &a.data[i]
			w.ProjectedCustomers = float64(w.Customers)
			if w.Open > 0 && proj != ProjectionNone {
				cw := c
				cw.Open = a.open[i]
				w.ProjectedCustomers = project(w.Customers, cw).point
			}
			open += w.Open
			revenue += w.Revenue
			customers += w.Customers
		}
		if open > 0 && proj == ProjectionNone {
			notes = append(notes, fmt.Sprintf("budget: channel %q has %d registrations still inside the window and no complete conversion curve to project them: its recent weeks count observed customers only", ch, open))
		}
		perCustomer := 0.0
		if customers > 0 {
			perCustomer = revenue.Float64() / float64(customers)
		}
		in := BudgetChannelInput{Channel: ch}
		if l, ok := req.Limits[ch]; ok {
			in.Min, in.Max, in.HasMin, in.HasMax = l.Min, l.Max, l.HasMin, l.HasMax
		}
		for i := range a.data {
			w := &a.data[i]
			w.Outcome = w.ProjectedCustomers
			if req.Objective == BudgetObjectiveRevenue {
				w.Outcome = math.Max(0, w.Revenue.Float64()+(w.ProjectedCustomers-float64(w.Customers))*perCustomer)
			}
			in.Weeks = append(in.Weeks, BudgetWeek{Week: w.Week, Spend: w.Spend, Outcome: w.Outcome})
		}
		inputs = append(inputs, in)
		data = append(data, BudgetChannelData{Channel: ch, Projection: proj, Weeks: a.data})
	}
	limited := make([]string, 0, len(req.Limits))
	for ch := range req.Limits {
		if a, ok := byName[ch]; !ok || a.total <= 0 {
			limited = append(limited, ch)
		}
	}
	slices.Sort(limited)
	for _, ch := range limited {
		notes = append(notes, fmt.Sprintf("[budget.channel.%q] names a channel without spend in the lookback %s: check the spelling (names are matched exactly)", ch, weeks))
	}
	return inputs, data, notes
}
