package attribution

import (
	"context"
	"fmt"
)

// budgetSpendRange widens the report's spend read to the budget lookback,
// so that one read gives both (the spend file or the database's).
func budgetSpendRange(req ReportRequest, r Period) Period {
	if req.Budget == nil {
		return r
	}
	lb := BudgetLookback(req.Period, req.AsOf, req.Location, req.Budget.lookbackWeeks())
	if lb.Days() > 0 && lb.From.Before(r.From) {
		r.From = lb.From
	}
	return r
}

func (b BudgetRequest) lookbackWeeks() int {
	if b.LookbackWeeks <= 0 {
		return DefaultBudgetLookbackWeeks
	}
	return b.LookbackWeeks
}

// budgetWeeks returns the lookback's registrations per channel and week
// in the report's snapshot: from the report's pass when its facts carry
// them, else read with Snapshot.ReadBudgetWeeks (raw labels).
func budgetWeeks(ctx context.Context, snap Snapshot, req ReportRequest, facts Facts) ([]BudgetWeekRow, error) {
	if facts.HasBudgetWeeks {
		return facts.BudgetWeeks, nil
	}
	weeks := BudgetLookback(req.Period, req.AsOf, req.Location, req.Budget.lookbackWeeks())
	rows, err := snap.ReadBudgetWeeks(ctx, BudgetWeeksRequest{Weeks: weeks, Location: req.Location, AsOf: req.AsOf, WindowDays: req.WindowDays})
	if err != nil {
		return nil, fmt.Errorf("budget weeks: %w", err)
	}
	return rows, nil
}

// buildBudget plans the budget (docs/BUDGET.md) from the lookback's
// registrations per channel and week (budgetWeeks). spendDays is the
// report's spend, read over budgetSpendRange and cut at as-of; set the
// report's conversion curves.
func buildBudget(req ReportRequest, rows []BudgetWeekRow, spendDays []DailySpendRow, set CurveSet, name ChannelLabels) (*Budget, error) {
	br := *req.Budget
	br.LookbackWeeks = br.lookbackWeeks()
	if br.Objective == "" {
		br.Objective = BudgetObjectiveCustomers
	}
	if br.Objective != BudgetObjectiveCustomers && br.Objective != BudgetObjectiveRevenue {
		return nil, Errorf(KindConfig, "budget objective is %q; it must be %q or %q", br.Objective, BudgetObjectiveCustomers, BudgetObjectiveRevenue)
	}
	weeks := BudgetLookback(req.Period, req.AsOf, req.Location, br.LookbackWeeks)
	b := &Budget{Objective: br.Objective, LookbackWeeks: br.LookbackWeeks, Weeks: weeks,
		Plan: BudgetPlan{Options: br.Options}}
	inputs, data, notes := BudgetInputs(br, weeks, DaysIn(spendDays, weeks), rows, set, name)
	b.Data, b.Notes = data, notes
	if len(inputs) == 0 {
		b.Notes = append(b.Notes, fmt.Sprintf("budget: no channel had spend in the lookback %s, so there is nothing to reallocate", weeks))
		return b, nil
	}
	plan, err := PlanBudget(inputs, br.Options)
	if err != nil {
		return nil, err
	}
	b.Plan, b.Moves = plan, plan.Moves()
	return b, nil
}
