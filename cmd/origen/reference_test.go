package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
)

// referenceRow is one channel row computed independently of Origen's SQL
// and of package attribution's arithmetic, straight from METRICS.md, in the
// form of the JSON contract.
type referenceRow struct {
	Channel                               string
	Registrations, Customers, Immature    int64
	ConversionRate, CRLow, CRHigh, ROAS   *float64
	Spend, Revenue, CostPerReg, CostPerCu string // "" for null
	Median                                *float64
}

// collector keeps every generated row in memory (fine for test sizes).
type collector struct {
	regs  []fixtures.Registration
	purs  []fixtures.Purchase
	spend []fixtures.Spend
}

func (c *collector) Registration(r fixtures.Registration) error {
	c.regs = append(c.regs, r)
	return nil
}
func (c *collector) Purchase(p fixtures.Purchase) error { c.purs = append(c.purs, p); return nil }
func (c *collector) Spend(s fixtures.Spend) error       { c.spend = append(c.spend, s); return nil }

// referenceReport follows METRICS.md literally, row by row, with integer
// cents for money (the fixtures have 2 decimals) and the plain definition
// of every ratio.
func referenceReport(cfg fixtures.Config, period attribution.Period, loc *time.Location, asOf time.Time, w int) (map[string]referenceRow, referenceRow) {
	var c collector
	if err := fixtures.Generate(cfg, &c); err != nil {
		panic(err)
	}
	window := time.Duration(w) * 24 * time.Hour
	label := func(ch string, null bool) string {
		s := strings.TrimFunc(ch, unicode.IsSpace)
		if null || s == "" {
			return "(none)"
		}
		return s
	}
	// Rule 1: one registration per user, the earliest (ties: smaller label).
	first := map[int64]fixtures.Registration{}
	for _, r := range c.regs {
		if r.RegisteredAt.After(asOf) {
			continue
		}
		f, ok := first[r.UserID]
		if !ok || r.RegisteredAt.Before(f.RegisteredAt) || (r.RegisteredAt.Equal(f.RegisteredAt) && r.Channel < f.Channel) {
			first[r.UserID] = r
		}
	}
	byUser := map[int64][]fixtures.Purchase{}
	for _, p := range c.purs {
		byUser[p.UserID] = append(byUser[p.UserID], p)
	}
	type acc struct {
		regs, cust, immature int64
		revenueCents         int64
		spendCents           int64
		days                 []int
	}
	accs := map[string]*acc{}
	get := func(name string) *acc {
		if accs[name] == nil {
			accs[name] = &acc{}
		}
		return accs[name]
	}
	cents := func(m attribution.Money) int64 { return int64(m) / 100 }
	for uid, r := range first {
		d := attribution.DateOf(r.RegisteredAt.In(loc))
		if d.Before(period.From) || !d.Before(period.To) {
			continue
		}
		existing := false
		for _, p := range byUser[uid] {
			if p.Amount > 0 && p.PurchasedAt.Before(r.RegisteredAt) {
				existing = true
			}
		}
		if existing {
			continue
		}
		a := get(label(r.Channel, r.ChannelNull))
		a.regs++
		end := r.RegisteredAt.Add(window)
		if end.After(asOf) {
			a.immature++
		}
		var firstAt *time.Time
		for _, p := range byUser[uid] {
			t := p.PurchasedAt
			if t.Before(r.RegisteredAt) || !t.Before(end) || t.After(asOf) {
				continue
			}
			a.revenueCents += cents(p.Amount)
			if p.Amount > 0 && (firstAt == nil || t.Before(*firstAt)) {
				tt := t
				firstAt = &tt
			}
		}
		if firstAt != nil {
			a.cust++
			a.days = append(a.days, int(firstAt.Sub(r.RegisteredAt)/(24*time.Hour)))
		}
	}
	for _, s := range c.spend {
		if s.Date.Before(period.From) || !s.Date.Before(period.To) {
			continue
		}
		get(label(s.Channel, false)).spendCents += cents(s.Amount)
	}
	money := func(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }
	div := func(c, n int64) string { // round half away from zero, non-negative here
		if n == 0 {
			return ""
		}
		q := (2*c + n) / (2 * n)
		return money(q)
	}
	f := func(num, den float64) *float64 {
		if den == 0 {
			return nil
		}
		v := num / den
		return &v
	}
	row := func(name string, a acc) referenceRow {
		r := referenceRow{Channel: name, Registrations: a.regs, Customers: a.cust, Immature: a.immature,
			Spend: money(a.spendCents), Revenue: money(a.revenueCents),
			CostPerReg: div(a.spendCents, a.regs), CostPerCu: div(a.spendCents, a.cust),
			ConversionRate: f(float64(a.cust), float64(a.regs)), ROAS: f(float64(a.revenueCents), float64(a.spendCents))}
		if a.regs > 0 {
			n, p, z := float64(a.regs), float64(a.cust)/float64(a.regs), 1.959964
			centre := (p + z*z/(2*n)) / (1 + z*z/n)
			half := z * math.Sqrt(p*(1-p)/n+z*z/(4*n*n)) / (1 + z*z/n)
			lo, hi := centre-half, centre+half
			r.CRLow, r.CRHigh = &lo, &hi
		}
		if len(a.days) > 0 {
			sort.Ints(a.days)
			m := float64(a.days[(len(a.days)-1)/2]+a.days[len(a.days)/2]) / 2
			r.Median = &m
		}
		return r
	}
	out := map[string]referenceRow{}
	var total acc
	for name, a := range accs {
		out[name] = row(name, *a)
		total.regs += a.regs
		total.cust += a.cust
		total.immature += a.immature
		total.revenueCents += a.revenueCents
		total.spendCents += a.spendCents
		total.days = append(total.days, a.days...)
	}
	return out, row("Total", total)
}
