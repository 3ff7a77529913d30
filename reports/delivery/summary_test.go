package delivery

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// evilChannel is a channel name that must never run as markup.
const evilChannel = "<script>alert(1)</script>"

// testReport is a computed report of October 2026 in Europe/Berlin with
// seven channels, one of them named like a script and one with no spend.
func testReport(t *testing.T) attribution.Report {
	t.Helper()
	eur, _ := attribution.LookupCurrency("EUR")
	cohort := func(ch string, regs, customers int64, revenue attribution.Money) []attribution.CohortRow {
		return []attribution.CohortRow{
			{Channel: ch, ChannelValid: ch != "", Days: -1, Count: regs - customers},
			{Channel: ch, ChannelValid: ch != "", Days: 3, Count: customers, Revenue: revenue},
		}
	}
	var rows []attribution.CohortRow
	rows = append(rows, cohort("paid_search", 12000, 600, 54000_0000)...)
	rows = append(rows, cohort(evilChannel, 2000, 100, 1500_0000)...)
	rows = append(rows, cohort("newsletter", 3000, 90, 4000_0000)...)
	rows = append(rows, cohort("Café ☕ & Co", 900, 45, 900_0000)...)
	rows = append(rows, cohort("affiliate", 800, 30, 2000_5000)...)
	rows = append(rows, cohort("social", 700, 0, 0)...)
	rows = append(rows, cohort("", 100, 5, 100_0000)...)
	r := attribution.Compute(attribution.Inputs{
		Period:     attribution.Period{From: attribution.Date{Year: 2026, Month: 10, Day: 1}, To: attribution.Date{Year: 2026, Month: 11, Day: 1}},
		AsOf:       time.Date(2026, 11, 20, 5, 0, 0, 0, time.UTC),
		Timezone:   "Europe/Berlin",
		Currency:   eur,
		WindowDays: 30,
		Cohort:     rows,
		Spend: []attribution.SpendRow{
			{Channel: "paid_search", ChannelValid: true, Amount: 27000_0000, Rows: 31},
			{Channel: evilChannel, ChannelValid: true, Amount: 1234_5678, Rows: 31},
			{Channel: "newsletter", ChannelValid: true, Amount: 300_0000, Rows: 31},
			{Channel: "affiliate", ChannelValid: true, Amount: 1500_0000, Rows: 31},
			{Channel: "social", ChannelValid: true, Amount: 2000_0000, Rows: 31},
		},
	})
	r.Version = "v0.0.0-test"
	r.Notes = []string{"Spend for channel x has no registrations & was kept."}
	return r
}

func TestSummarize(t *testing.T) {
	s := Summarize(testReport(t))
	for _, c := range []struct{ name, got, want string }{
		{"Title", s.Title, "Origen channel report 2026-10-01 to 2026-10-31"},
		{"Period", s.Period, "2026-10-01 to 2026-10-31"},
		{"From", s.From, "2026-10-01"},
		{"To", s.To, "2026-11-01"},
		{"LastDay", s.LastDay, "2026-10-31"},
		{"AsOf", s.AsOf, "2026-11-20 06:00:00 +01:00"},
		{"Registrations", s.Registrations, "19,500"},
		{"Customers", s.Customers, "870"},
		{"ConversionRate", s.ConversionRate, "4.46%"},
		{"Spend", s.Spend, "32,034.57 EUR"},
		{"CAC", s.CAC, "36.82 EUR"}, // 32,034.5678 / 870 = 36.8213...
		{"Revenue", s.Revenue, "62,500.50 EUR"},
		{"ROAS", s.ROAS, "1.95x"},
		{"Immature", s.Immature, "0"},
		{"top channel", s.TopChannels[0].Channel, "paid_search"},
		{"top CAC", s.TopChannels[0].CAC, "45.00 EUR"},
		{"top ROAS", s.TopChannels[0].ROAS, "2.00x"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !strings.Contains(s.ConversionInterval, "% – ") {
		t.Errorf("ConversionInterval = %q", s.ConversionInterval)
	}
	if len(s.TopChannels) != TopChannels || s.OtherChannels != 2 {
		t.Errorf("%d top channels and %d others, want %d and 2", len(s.TopChannels), s.OtherChannels, TopChannels)
	}
	for _, c := range s.TopChannels {
		if c.Channel == "social" {
			t.Errorf("social (no customers) is among the top channels: %+v", s.TopChannels)
		}
	}
}

func TestSummarizeUndefinedAndZeroDigits(t *testing.T) {
	jpy, _ := attribution.LookupCurrency("JPY")
	r := attribution.Compute(attribution.Inputs{
		Period:   attribution.Period{From: attribution.Date{Year: 2026, Month: 1, Day: 1}, To: attribution.Date{Year: 2026, Month: 1, Day: 8}},
		Currency: jpy,
		Spend:    []attribution.SpendRow{{Channel: "tv", ChannelValid: true, Amount: 1234567_5000}},
	})
	s := Summarize(r)
	for _, c := range []struct{ name, got, want string }{
		{"Registrations", s.Registrations, "0"},
		{"ConversionRate", s.ConversionRate, "n/a"},
		{"ConversionInterval", s.ConversionInterval, ""},
		{"Spend", s.Spend, "1,234,568 JPY"},
		{"CAC", s.CAC, "n/a"},
		{"ROAS", s.ROAS, "0.00x"},
		{"AsOf", s.AsOf, ""},
		{"Period", s.Period, "2026-01-01 to 2026-01-07"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	// A ratio that is Valid but not finite is never shown as NaN or Inf.
	r.Total.ROAS = attribution.Ratio{Value: 1 / zero(), Valid: true}
	if got := Summarize(r).ROAS; got != "n/a" {
		t.Errorf("infinite ROAS = %q, want n/a", got)
	}
}

func zero() float64 { return 0 }

// TestBodies compares the HTML and text bodies with golden files (go test
// -update rewrites them) and checks that the channel names are escaped in
// the HTML.
func TestBodies(t *testing.T) {
	s := Summarize(testReport(t))
	s.Job = "monthly"
	attachments := []string{"origen_monthly_2026-10-01_2026-11-01.xlsx", "origen_monthly_2026-10-01_2026-11-01.html"}
	var html, text bytes.Buffer
	if err := s.writeHTML(&html, attachments); err != nil {
		t.Fatal(err)
	}
	if err := s.writeText(&text, attachments); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html.String(), "<script") {
		t.Errorf("HTML body contains an unescaped <script")
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "Café ☕ &amp; Co", "36.82 EUR", "Job monthly"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML body lacks %q", want)
		}
	}
	if !strings.Contains(text.String(), "2. "+evilChannel+": 100 customers") {
		t.Errorf("text body lacks the channel line for %s:\n%s", evilChannel, text.String())
	}
	golden(t, "summary.golden.html", html.Bytes())
	golden(t, "summary.golden.txt", text.Bytes())

	// The exported writers render the same without the attachment line.
	var plain bytes.Buffer
	if err := s.WriteText(&plain); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "Attached:") || !strings.Contains(plain.String(), "Generated by Origen v0.0.0-test.") {
		t.Errorf("WriteText:\n%s", plain.String())
	}
	var page bytes.Buffer
	if err := s.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page.String(), "Attached:") {
		t.Errorf("WriteHTML names attachments it was not given")
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", name, got)
	}
}

func TestSubjectTemplate(t *testing.T) {
	s := Summarize(testReport(t))
	s.Job = "monthly"
	for _, tc := range []struct {
		name, tmpl, want string
		wantErr          bool
	}{
		{name: "example", tmpl: "Origen {{.Period}}: CAC {{.CAC}}", want: "Origen 2026-10-01 to 2026-10-31: CAC 36.82 EUR"},
		{name: "default", tmpl: "", want: "Origen monthly report 2026-10-01 to 2026-10-31: 870 customers, CAC 36.82 EUR"},
		{name: "line breaks cannot add headers", tmpl: "a\r\nBcc: x@example.com\n{{.Job}}", want: "a Bcc: x@example.com monthly"},
		{name: "channel", tmpl: "{{(index .TopChannels 1).Channel}}", want: evilChannel},
		{name: "empty result", tmpl: "{{if false}}x{{end}}", want: "Origen report 2026-10-01 to 2026-10-31"},
		{name: "long", tmpl: strings.Repeat("x", 300), want: strings.Repeat("x", 199) + "…"},
		{name: "misspelt field", tmpl: "{{.Cac}}", wantErr: true},
		{name: "parse error", tmpl: "{{.CAC", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := renderSubject(tc.tmpl, s)
			if verr := ValidateSubject(tc.tmpl); (verr != nil) != tc.wantErr {
				t.Errorf("ValidateSubject: %v, want error %v", verr, tc.wantErr)
			}
			if tc.wantErr {
				if err == nil {
					t.Errorf("renderSubject(%q) = %q, want an error", tc.tmpl, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("renderSubject(%q) = %q, %v; want %q", tc.tmpl, got, err, tc.want)
			}
		})
	}
}
