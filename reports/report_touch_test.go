package reports

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

// touchReport is the sample report with a multi-touch section over the
// issue's hand-computed paths: Direct > Organic Search > Direct converting
// with revenue 140 (position-based: Direct 112, Organic Search 28), and C1
// > C2 > C3 converting once with C1 and C2 > C3 not converting (Markov
// removal effects 0.5, 1, 1). The script-looking channel touches too.
func touchReport(t *testing.T) attribution.Report {
	t.Helper()
	r := sampleReport(t)
	paths := []attribution.TouchPath{
		{Channels: []string{"Direct", "Organic Search", "Direct"}, Conversions: 1, Revenue: 140 * attribution.MoneyScale},
		{Channels: []string{"C1", "C2", "C3"}, Conversions: 1},
		{Channels: []string{"C1"}, NonConversions: 1},
		{Channels: []string{"C2", "C3"}, NonConversions: 1},
		{Channels: []string{chScript}, NonConversions: 2},
	}
	spend := map[string]attribution.Money{}
	var order []string
	for _, m := range r.Channels {
		spend[m.Channel] = m.Spend
		order = append(order, m.Channel)
	}
	spend["Direct"] = 28 * attribution.MoneyScale
	mt, err := attribution.AttributeTouches(attribution.TouchInputs{Paths: paths, Spend: spend, Order: order})
	if err != nil {
		t.Fatal(err)
	}
	r.MultiTouch = &mt
	return r
}

func TestJSONAttribution(t *testing.T) {
	var doc struct {
		Attribution struct {
			Conversion      string  `json:"conversion"`
			LookbackDays    int     `json:"lookback_days"`
			MarkovOrder     int     `json:"markov_order"`
			HalfLifeDays    float64 `json:"half_life_days"`
			Paths           int64   `json:"paths"`
			ConvertingPaths int64   `json:"converting_paths"`
			Models          []struct {
				Model    string `json:"model"`
				Channels []struct {
					Channel           string   `json:"channel"`
					Conversions       float64  `json:"conversions"`
					Revenue           string   `json:"revenue"`
					Spend             string   `json:"spend"`
					CostPerConversion *string  `json:"cost_per_conversion"`
					ROAS              *float64 `json:"roas"`
				} `json:"channels"`
				Total struct {
					Conversions float64 `json:"conversions"`
					Revenue     string  `json:"revenue"`
				} `json:"total"`
			} `json:"models"`
			Markov struct {
				ConversionProbability float64            `json:"conversion_probability"`
				RemovalEffects        map[string]float64 `json:"removal_effects"`
			} `json:"markov"`
		} `json:"attribution"`
	}
	if err := json.Unmarshal(render(t, writeJSON, touchReport(t)), &doc); err != nil {
		t.Fatal(err)
	}
	a := doc.Attribution
	if a.Conversion != "purchase" || a.LookbackDays != 30 || a.MarkovOrder != 1 || a.HalfLifeDays != 7 || a.Paths != 5 || a.ConvertingPaths != 2 || len(a.Models) != 8 {
		t.Fatalf("attribution %+v", a)
	}
	for _, m := range a.Models {
		if m.Total.Conversions != 2 || m.Total.Revenue != "140.00" {
			t.Errorf("%s total %+v", m.Model, m.Total)
		}
		if m.Model != "position_based" {
			continue
		}
		for _, c := range m.Channels {
			switch c.Channel {
			case "Direct":
				// 112 of revenue, 0.8 conversions for a spend of 28: 35 each, ROAS 4.
				if c.Revenue != "112.00" || c.Conversions != 0.8 || c.Spend != "28.00" || c.CostPerConversion == nil || *c.CostPerConversion != "35.00" || c.ROAS == nil || *c.ROAS != 4 {
					t.Errorf("Direct %+v", c)
				}
			case "Organic Search":
				if c.Revenue != "28.00" || c.ROAS != nil {
					t.Errorf("Organic Search %+v", c)
				}
			case chScript:
				if c.Conversions != 0 || c.CostPerConversion != nil {
					t.Errorf("%s %+v", chScript, c)
				}
			}
		}
	}
	// By hand: start goes to Direct 1/6, C1 2/6, C2 1/6, the script 2/6;
	// from Direct the path always converts (Direct → conversion or →
	// Organic Search → Direct), C1 half of the time reaches C2, C2 → C3,
	// C3 converts half of the time: P = 1/6 + 2/6·1/4 + 1/6·1/2 = 1/3.
	// Without C1 1/4 (RE 0.25), without C2 or C3 1/6 (0.5), without
	// Direct 1/6 (0.5), without Organic Search Direct converts half of
	// the time, 1/4 (0.25).
	if p := a.Markov.ConversionProbability; p < 1.0/3-1e-9 || p > 1.0/3+1e-9 {
		t.Errorf("conversion probability %v, want 1/3", p)
	}
	for ch, want := range map[string]float64{"C1": 0.25, "C2": 0.5, "C3": 0.5, "Direct": 0.5, "Organic Search": 0.25, chScript: 0} {
		if got := a.Markov.RemovalEffects[ch]; got < want-1e-9 || got > want+1e-9 {
			t.Errorf("removal effect of %s = %v, want %v", ch, got, want)
		}
	}
}

func TestWorkbookAttributionSheets(t *testing.T) {
	r := touchReport(t)
	f := openWorkbook(t, r)
	sheets := f.GetSheetList()
	if !strings.Contains(strings.Join(sheets, ","), sheetAttribution+","+sheetPaths) {
		t.Fatalf("sheets %v", sheets)
	}
	// Position-based is the fifth model: its group starts at column 3+4·4 = S.
	if got := rawValue(t, f, sheetAttribution, "S4"); got != "Position-based" {
		t.Fatalf("S4 = %q", got)
	}
	row := rowOf(t, f, sheetAttribution, "Direct")
	wantNumber(t, f, sheetAttribution, cellName(t, 19, row), 0.8)
	wantNumber(t, f, sheetAttribution, cellName(t, 20, row), 112)
	wantNumber(t, f, sheetAttribution, cellName(t, 21, row), 35)
	wantNumber(t, f, sheetAttribution, cellName(t, 22, row), 4)
	wantNumber(t, f, sheetAttribution, cellName(t, 2, row), 28)
	total := rowOf(t, f, sheetAttribution, totalLabel)
	for col := 3; col < 3+4*8; col += 4 {
		wantNumber(t, f, sheetAttribution, cellName(t, col, total), 2)
		wantNumber(t, f, sheetAttribution, cellName(t, col+1, total), 140)
	}
	if got := rawValue(t, f, sheetAttribution, cellName(t, 1, rowOf(t, f, sheetAttribution, chScript))); got != chScript {
		t.Errorf("script channel cell %q", got)
	}
	// Paths: most followed first, then by conversions and path.
	if got := rawValue(t, f, sheetPaths, "A5"); got != chScript {
		t.Errorf("first path %q", got)
	}
	if got := rawValue(t, f, sheetPaths, "A6"); got != "C1 > C2 > C3" {
		t.Errorf("second path %q", got)
	}
	wantNumber(t, f, sheetPaths, "D7", 140)
}

func TestHTMLAttributionSection(t *testing.T) {
	r := touchReport(t)
	out := string(render(t, writeHTML, r))
	doc := parseHTML(t, []byte(out))
	sec := byID(t, doc, "attribution")
	text := textOf(sec)
	for _, want := range []string{"Multi-touch attribution", "Cost per attributed conversion", "Markov removal effects", "Direct > Organic Search > Direct", "Position-based", "35.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("section lacks %q", want)
		}
	}
	if strings.Contains(out, "<script>alert(1)") {
		t.Error("a channel name reached the page unescaped")
	}
	// One bar per channel and model.
	if n, want := strings.Count(out, "<rect "), len(touchChannels(*r.MultiTouch))*8; n != want || want < 8*8 {
		t.Errorf("%d bars, want %d", n, want)
	}
	// Without multi-touch there is no section.
	if strings.Contains(string(render(t, writeHTML, sampleReport(t))), `id="attribution"`) {
		t.Error("section without multi-touch")
	}
}
