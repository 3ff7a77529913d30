package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/fixtures"
)

// runCLI drives run like main does, with buffers for the streams.
func runCLI(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err := run(context.Background(), args, getenv, strings.NewReader(""), &out, &errb)
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}

// jsonDoc is the part of the JSON contract the tests read.
type jsonDoc struct {
	Period   struct{ From, To string }
	AsOf     string `json:"as_of"`
	Channels []jsonRowDoc
	Total    jsonRowDoc
}

type jsonRowDoc struct {
	Channel             string   `json:"channel"`
	Registrations       int64    `json:"registrations"`
	Customers           int64    `json:"customers"`
	ConversionRate      *float64 `json:"conversion_rate"`
	ConversionRateLow   *float64 `json:"conversion_rate_low"`
	ConversionRateHigh  *float64 `json:"conversion_rate_high"`
	Spend               string   `json:"spend"`
	CostPerRegistration *string  `json:"cost_per_registration"`
	CostPerCustomer     *string  `json:"cost_per_customer"`
	Revenue             string   `json:"revenue"`
	ROAS                *float64 `json:"roas"`
	Median              *float64 `json:"median_days_to_convert"`
	Immature            int64    `json:"immature_registrations"`
	PaidChannel         *bool    `json:"paid_channel"`
	// Paid and Unpaid: only the Total row has them.
	Paid, Unpaid *jsonRowDoc
}

func readJSON(t *testing.T, path string) jsonDoc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d jsonDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

// demoOnce runs origen demo into a temporary directory once per test binary.
func runDemo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	stdout, stderr, code := runCLI(t, nil, "demo", "--out", dir)
	if code != 0 {
		t.Fatalf("origen demo exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	return dir
}

func TestDemoAgreesWithIndependentComputation(t *testing.T) {
	dir := runDemo(t)
	p := fixtures.DemoPeriod()
	doc := readJSON(t, filepath.Join(dir, "origen_"+p.From.String()+"_"+p.To.String()+".json"))
	if doc.AsOf != fixtures.DemoAsOf.Format(time.RFC3339) {
		t.Errorf("as_of = %s", doc.AsOf)
	}
	loc, _ := time.LoadLocation(fixtures.DemoTimezone)
	want, wantTotal := referenceReport(fixtures.DemoConfig(), p, loc, fixtures.DemoAsOf, 30)
	if len(doc.Channels) != len(want) {
		t.Errorf("%d channels in the report, %d in the reference", len(doc.Channels), len(want))
	}
	if len(doc.Channels) < 6 {
		t.Errorf("the demo has %d channels, want at least 6", len(doc.Channels))
	}
	for _, got := range doc.Channels {
		compareRow(t, got, want[got.Channel])
	}
	compareRow(t, doc.Total, wantTotal)
	// Paid CAC from the reference rows: the demo's channels but those its
	// config names unpaid (cmd_demo.go), summed exactly.
	unpaid := map[string]bool{"Email": true, "Organic Search": true, "Referral": true}
	sums := map[bool]*struct {
		regs, customers int64
		spend           big.Rat
	}{true: {}, false: {}}
	isPaid := map[string]bool{}
	for name, row := range want {
		var amount big.Rat
		if _, ok := amount.SetString(row.Spend); !ok {
			t.Fatalf("reference spend %q of %s", row.Spend, name)
		}
		// Paid: spend in the period, unless named unpaid (the dirty
		// labels, such as "paid search", have none).
		isPaid[name] = !unpaid[name] && amount.Sign() != 0
		s := sums[isPaid[name]]
		s.regs += row.Registrations
		s.customers += row.Customers
		s.spend.Add(&s.spend, &amount)
	}
	for _, c := range doc.Channels {
		if c.PaidChannel == nil || *c.PaidChannel != isPaid[c.Channel] {
			t.Errorf("%s: paid_channel = %v, want %v", c.Channel, c.PaidChannel, isPaid[c.Channel])
		}
	}
	for _, tt := range []struct {
		name string
		got  jsonRowDoc
		paid bool
	}{{"total.paid", *doc.Total.Paid, true}, {"total.unpaid", *doc.Total.Unpaid, false}} {
		s := sums[tt.paid]
		cac := new(big.Rat).Quo(&s.spend, new(big.Rat).SetInt64(s.customers)).FloatString(2)
		if tt.got.Registrations != s.regs || tt.got.Customers != s.customers || tt.got.Spend != s.spend.FloatString(2) ||
			tt.got.CostPerCustomer == nil || *tt.got.CostPerCustomer != cac {
			t.Errorf("%s = %+v, want %d registrations, %d customers, spend %s, CAC %s", tt.name, tt.got, s.regs, s.customers, s.spend.FloatString(2), cac)
		}
		t.Logf("%s: CAC %s (blended %s)", tt.name, cac, *doc.Total.CostPerCustomer)
	}
	if wantTotal.Immature == 0 || wantTotal.Customers == 0 {
		t.Errorf("the demo's last month should have customers and immature registrations: %+v", wantTotal)
	}
}

func compareRow(t *testing.T, got jsonRowDoc, want referenceRow) {
	t.Helper()
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	if got.Registrations != want.Registrations || got.Customers != want.Customers || got.Immature != want.Immature ||
		got.Spend != want.Spend || got.Revenue != want.Revenue ||
		str(got.CostPerRegistration) != want.CostPerReg || str(got.CostPerCustomer) != want.CostPerCu {
		t.Errorf("%s:\n got %+v\nwant %+v", got.Channel, got, want)
	}
	for _, f := range []struct {
		name      string
		got, want *float64
	}{
		{"conversion_rate", got.ConversionRate, want.ConversionRate},
		{"conversion_rate_low", got.ConversionRateLow, want.CRLow},
		{"conversion_rate_high", got.ConversionRateHigh, want.CRHigh},
		{"roas", got.ROAS, want.ROAS},
		{"median_days_to_convert", got.Median, want.Median},
	} {
		if (f.got == nil) != (f.want == nil) || (f.got != nil && math.Abs(*f.got-*f.want) > 1e-9) {
			t.Errorf("%s %s: got %v, want %v", got.Channel, f.name, deref(f.got), deref(f.want))
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
