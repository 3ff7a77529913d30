package attribution

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// ReadLTV serves the fake's lifetime-value rows (none unless set).
func (f fakeSnapshot) ReadLTV(context.Context, LTVRequest) (LTVFacts, error) { return LTVFacts{}, nil }

// gridLTVFacts are deterministic summaries of two channels with enough
// customers for their own fits.
func gridLTVFacts() LTVFacts {
	var f LTVFacts
	for ci, ch := range []string{"A", "B"} {
		f.Cohorts = append(f.Cohorts, LTVCohortFact{Channel: ch, ChannelValid: true, Cohort: Date{2026, 1, 1}, Registrations: 500,
			LastRegistered: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)})
		for i := 0; i < 150; i++ {
			x := (i + ci) % 5
			T := 20 + (i*37)%300
			tx := 0
			if x > 0 {
				tx = max(1, T*((i%4)+1)/5)
				f.Spend = append(f.Spend, LTVSpendFact{Channel: ch, ChannelValid: true, X: x, RepeatTotal: Money(x*(15+(i*13)%50)) * MoneyScale, Customers: 1})
			}
			f.Summaries = append(f.Summaries, LTVSummaryFact{Channel: ch, ChannelValid: true, X: x, TxDays: tx, TDays: T, Customers: 1, FirstSpend: 30 * MoneyScale})
		}
	}
	return f
}

// The section does not depend on the order in which the database returns
// its groups: the fits' sums run in a fixed order.
func TestBuildLTVOrderIndependent(t *testing.T) {
	in := LTVInputs{AsOf: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), CohortMonths: 12, GrossMargin: 1, Facts: gridLTVFacts()}
	a, err := BuildLTV(in)
	if err != nil {
		t.Fatal(err)
	}
	if a.Channels[0].BGNBD == nil || a.Channels[0].Pooled {
		t.Fatalf("channel A has no own fit: %+v", a.Channels[0])
	}
	r := rand.New(rand.NewPCG(3, 3))
	f := gridLTVFacts()
	r.Shuffle(len(f.Summaries), func(i, j int) { f.Summaries[i], f.Summaries[j] = f.Summaries[j], f.Summaries[i] })
	r.Shuffle(len(f.Spend), func(i, j int) { f.Spend[i], f.Spend[j] = f.Spend[j], f.Spend[i] })
	in.Facts = f
	b, err := BuildLTV(in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("shuffled input changes the section:\n%+v\n%+v", a.Channels[0].BGNBD, b.Channels[0].BGNBD)
	}
}
