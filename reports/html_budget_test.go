package reports

import (
	"bytes"
	"flag"
	"fmt"
	"html/template"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/reports/reportstest"
)

var updateBudgetDocs = flag.Bool("update-budget-docs", false, "write the budget section's screenshot to docs/")

// The page's budget section: the caveat, the moves in sentences, the
// table, a chart per paid channel, the summary line; hostile names are
// escaped.
func TestHTMLBudgetSection(t *testing.T) {
	r := budgetReport(t)
	page := string(render(t, writeHTML, r))
	for _, want := range []string{`id="budget"`, "Association, not experiment.", "Suggested moves", "Move ", "a week from " + chSocial + " to " + chSearch,
		`class="caption budget-summary"`, `id="origen-budget-data"`, "insufficient data"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, template.HTMLEscapeString(attribution.BudgetAssociationCaveat)); n < 2 {
		t.Errorf("the caveat appears %d times in the section, want it above and below the suggestion", n)
	}
	if strings.Contains(page, "<script>alert(1)</script>") {
		t.Error("a channel name reached the page as HTML")
	}
	for i := range r.Budget.Plan.Channels {
		if !strings.Contains(page, fmt.Sprintf(`id="chart-budget-%d"`, i)) {
			t.Errorf("no chart for channel %d", i)
		}
	}
	// Without a plan, nothing of it.
	if p := string(render(t, writeHTML, sampleReport(t))); strings.Contains(p, `id="budget"`) || strings.Contains(p, "origen-budget-data") {
		t.Error("a report without a plan shows a budget section")
	}
}

// Chromium draws every response curve, at desktop and phone widths,
// with nothing broken; the screenshot of the section goes to docs/ with
// -update-budget-docs.
func TestBudgetPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	r := budgetReport(t)
	path := htmlFile(t, r)
	want := 3 + len(r.Budget.Plan.Channels) // the quadrant, CAC and conversion charts, then one per paid channel
	for _, width := range []int{1280, 390} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			shot := ""
			if width == 1280 {
				shot = filepath.Join(t.TempDir(), "page.png")
			}
			c := reportstest.LoadPage(t, path, width, 900, shot)
			checkDrawn(t, c, want, "Where the next EUR should go", "Association, not experiment.", "Suggested moves", chScript, "insufficient data")
			if shot == "" {
				return
			}
			// The section's place on the page, to cut it out of the screenshot.
			got := reportstest.EvalInPage(t, path, reportstest.PageOptions{Width: width, Height: 900},
				`(() => { const r = document.getElementById("budget").getBoundingClientRect(); return Math.round(r.top + window.scrollY) + " " + Math.round(r.height); })()`)
			parts := strings.Fields(got[0])
			top, _ := strconv.Atoi(parts[0])
			height, _ := strconv.Atoi(parts[1])
			data, err := os.ReadFile(shot)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			if top <= 0 || height <= 200 || top+height > b.Dy() {
				t.Fatalf("budget section at %d+%d of a %d-pixel page", top, height, b.Dy())
			}
			if !*updateBudgetDocs {
				return
			}
			crop := img.(interface {
				SubImage(image.Rectangle) image.Image
			}).SubImage(image.Rect(b.Min.X, b.Min.Y+top-8, b.Max.X, b.Min.Y+top+height+8))
			var out bytes.Buffer
			if err := png.Encode(&out, crop); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("..", "docs", "budget-page-1280.png"), out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		})
	}
}
