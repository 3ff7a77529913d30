package queries_test

import (
	"fmt"
	"testing"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
)

// drillDBs is generated data on both drivers with source, medium and the
// demo's declared dimensions mapped.
func drillDBs(t *testing.T, seed uint64) []edgeDB {
	t.Helper()
	dbs := generated(t, smallConfig(seed))
	for i := range dbs {
		r := &dbs[i].mapping.Registrations
		r.Columns["source"], r.Columns["medium"] = "source", "medium"
		r.Dimensions = []string{"country", "device"}
		dbs[i].mapping.Spend.Columns["campaign"] = "campaign"
	}
	return dbs
}

// cohortKey is a cohort row without its finer key.
type cohortKey struct {
	channel         string
	valid, existing bool
	days            int
	immature        bool
}

type cohortSums struct {
	count, duplicates int64
	revenue           attribution.Money
}

func sumCohort(rows []attribution.CohortRow) map[cohortKey]cohortSums {
	out := map[cohortKey]cohortSums{}
	for _, r := range rows {
		k := cohortKey{r.Channel, r.ChannelValid, r.Existing, r.Days, r.Immature}
		s := out[k]
		s.count += r.Count
		s.duplicates += r.Duplicates
		s.revenue += r.Revenue
		out[k] = s
	}
	return out
}

func cohortOf(rows []attribution.DrillRow) []attribution.CohortRow {
	out := make([]attribution.CohortRow, len(rows))
	for i, r := range rows {
		out[i] = r.CohortRow
	}
	return out
}

// Every drill-down part of the one pass (campaign, source × medium, each
// declared dimension) splits the period's cohort rows exactly: summed
// over its finer key, it is part 1, on both drivers, and both drivers
// return the same rows.
func TestDrilldownPartsAddUpToCohort(t *testing.T) {
	dbs := drillDBs(t, 11)
	p := mustPeriod(t, "2026-10-01", "2026-11-01")
	var first map[string]map[string]cohortSums
	for _, e := range dbs {
		t.Run(string(e.dialect), func(t *testing.T) {
			f := readFacts(t, e, "Europe/Berlin", attribution.FactsRequest{AsOf: fixtures.DemoAsOf, Period: p})
			want := sumCohort(f.Cohort)
			if len(want) == 0 {
				t.Fatal("no cohort rows")
			}
			parts := map[string][]attribution.DrillRow{"campaigns": f.Campaigns, "sources": f.Sources}
			if len(f.Dimensions) != 2 || f.Dimensions[0].Name != "country" || f.Dimensions[1].Name != "device" {
				t.Fatalf("dimensions %+v", f.Dimensions)
			}
			for _, d := range f.Dimensions {
				parts[d.Name] = d.Rows
			}
			byValue := map[string]map[string]cohortSums{}
			for name, rows := range parts {
				got := sumCohort(cohortOf(rows))
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: sums differ from the cohort\n got %v\nwant %v", name, got, want)
				}
				values := map[string]cohortSums{}
				for _, r := range rows {
					k := fmt.Sprintf("%s|%s|%v|%s|%v|%d|%v|%v", r.Channel, r.Value, r.ValueValid, r.Value2, r.Value2Valid, r.Days, r.Existing, r.Immature)
					s := values[k]
					s.count += r.Count
					s.revenue += r.Revenue
					values[k] = s
				}
				byValue[name] = values
			}
			// Real splits: several campaigns, the demo's five countries.
			if n := distinct(f.Campaigns); n < 10 {
				t.Errorf("%d distinct campaigns", n)
			}
			if n := distinct(f.Dimensions[0].Rows); n != 5 {
				t.Errorf("%d distinct countries, want 5", n)
			}
			for _, r := range f.Sources {
				if r.Value == "google" && r.Value2Valid && r.Value2 == "cpc" {
					goto found
				}
			}
			t.Error("no google / cpc source row")
		found:
			if first == nil {
				first = map[string]map[string]cohortSums{}
				for k, v := range byValue {
					first[k] = v
				}
				return
			}
			for name, v := range byValue {
				if fmt.Sprint(v) != fmt.Sprint(first[name]) {
					t.Errorf("%s: the drivers differ", name)
				}
			}
		})
	}
}

func distinct(rows []attribution.DrillRow) int {
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.Value] = true
	}
	return len(seen)
}

// drillSum adds up drill rows as the channel table adds channels.
func drillSum(rows []attribution.DrillMetrics) attribution.ChannelMetrics {
	var s attribution.ChannelMetrics
	for _, r := range rows {
		s.Registrations += r.Registrations
		s.Customers += r.Customers
		s.Revenue += r.Revenue
		s.Spend += r.Spend
		s.Immature += r.Immature
		if len(s.DaysToConvert) < len(r.DaysToConvert) {
			s.DaysToConvert = append(s.DaysToConvert, make([]int64, len(r.DaysToConvert)-len(s.DaysToConvert))...)
		}
		for d, n := range r.DaysToConvert {
			s.DaysToConvert[d] += n
		}
	}
	return s
}

func sameSums(t *testing.T, what string, got, want attribution.ChannelMetrics, spend bool) {
	t.Helper()
	if got.Registrations != want.Registrations || got.Customers != want.Customers || got.Revenue != want.Revenue ||
		got.Immature != want.Immature || fmt.Sprint(got.DaysToConvert) != fmt.Sprint(want.DaysToConvert) ||
		(spend && got.Spend != want.Spend) {
		t.Errorf("%s: rows add up to regs %d cust %d rev %v imm %d spend %v, the channel row has %d %d %v %d %v",
			what, got.Registrations, got.Customers, got.Revenue, got.Immature, got.Spend,
			want.Registrations, want.Customers, want.Revenue, want.Immature, want.Spend)
	}
}

// The campaign and source rows of every channel add up to the channel row,
// a dimension's values to the Total row and its value × channel rows to
// each channel, through the whole report pipeline, on both drivers; and
// both drivers give the same drill-down.
func TestDrilldownAddsUpToChannels(t *testing.T) {
	dbs := drillDBs(t, 23)
	p := mustPeriod(t, "2026-10-01", "2026-11-01")
	var reps []attribution.Report
	for _, e := range dbs {
		rep := runReport(t, e, p, "Europe/Berlin", fixtures.DemoAsOf)
		reps = append(reps, rep)
		t.Run(string(e.dialect), func(t *testing.T) {
			if !rep.CampaignSpend {
				t.Error("spend is not joined per campaign")
			}
			if len(rep.Campaigns) < 10 || len(rep.Sources) < 5 || len(rep.Dimensions) != 2 {
				t.Fatalf("%d campaigns, %d sources, %d dimensions", len(rep.Campaigns), len(rep.Sources), len(rep.Dimensions))
			}
			by := func(rows []attribution.DrillMetrics, parent string) []attribution.DrillMetrics {
				var out []attribution.DrillMetrics
				for _, r := range rows {
					if r.Parent == parent {
						out = append(out, r)
					}
				}
				return out
			}
			for _, ch := range rep.Channels {
				sameSums(t, ch.Channel+" campaigns", drillSum(by(rep.Campaigns, ch.Channel)), ch, rep.CampaignSpend)
				sameSums(t, ch.Channel+" sources", drillSum(by(rep.Sources, ch.Channel)), ch, false)
				for _, d := range rep.Dimensions {
					sameSums(t, ch.Channel+" "+d.Name, drillSum(by(d.ByChannel, ch.Channel)), ch, false)
				}
			}
			for _, d := range rep.Dimensions {
				sameSums(t, d.Name+" values", drillSum(d.Values), rep.Total, false)
			}
			var rows int
			for _, r := range rep.Campaigns {
				if r.Registrations > 0 {
					rows++
				}
			}
			if rows < 10 {
				t.Errorf("only %d campaign rows with registrations", rows)
			}
		})
	}
	if len(reps) == 2 {
		for _, pair := range [][2]any{
			{reps[0].Campaigns, reps[1].Campaigns}, {reps[0].Sources, reps[1].Sources}, {reps[0].Dimensions, reps[1].Dimensions},
		} {
			if a, b := fmt.Sprintf("%+v", pair[0]), fmt.Sprintf("%+v", pair[1]); a != b {
				t.Errorf("the drivers differ:\nsqlite   %.600s\npostgres %.600s", a, b)
			}
		}
	}
}
