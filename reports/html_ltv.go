package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/origen-analytics/origen/attribution"
)

// ltvSource defines the page's lifetime-value section (templates/ltv.html):
// the payback chart, the cohort triangle heat map and the LTV/CAC bars,
// drawn as inline SVG and tables on the server (no script), every text
// escaped by html/template.
//
//go:embed templates/ltv.html
var ltvSource string

// ltvSection is the data of templates/ltv.html.
type ltvSection struct {
	Caption, Basis string
	Rows           []ltvRow
	Notes          []string
	Payback        ltvChart
	Months         []int // the triangle's columns
	Triangle       []ltvTriangleRow
	ScaleMax       string
	Bars           []ltvBar
	BarsMax        string
}

type ltvRow struct {
	Color                                template.CSS
	Channel                              string
	Registrations, Customers             int64
	CostPerRegistration, CostPerCustomer string
	Payback, LTVObserved, LTVProjected   string
	LTVInterval, LTVToCAC, PAlive        string
	Model                                string
	Total                                bool
}

// ltvChart is an SVG line chart in a 720 × 300 view box.
type ltvChart struct {
	Lines  []ltvLine
	YTicks []ltvTick
	XTicks []ltvTick
	Empty  bool
}

type ltvLine struct {
	Channel      string
	Color        template.CSS
	Points, Cost string // "x,y x,y …", numbers only
	MarkX, MarkY float64
	Mark         bool
	LabelY       float64
}

type ltvTick struct {
	Pos   float64
	Label string
}

type ltvTriangleRow struct {
	Channel, Cohort string
	Registrations   int64
	Cells           []ltvCell
}

type ltvCell struct {
	Text string
	Bg   template.CSS
	Dark bool
}

type ltvBar struct {
	Channel, Value string
	Color          template.CSS
	Width          template.CSS // percent of the largest
	OneX           template.CSS // the position of LTV/CAC = 1
	Below          bool
}

// Geometry of the payback chart.
const (
	ltvW, ltvH                           = 720.0, 300.0
	ltvLeft, ltvRight, ltvTop, ltvBottom = 64.0, 110.0, 12.0, 30.0
)

// newLTVSection lays out r.LTV; nil without it.
func newLTVSection(r attribution.Report, colors map[string]string) *ltvSection {
	l := r.LTV
	if l == nil {
		return nil
	}
	cur := r.Currency
	money := func(v float64) string { return strconv.FormatFloat(v, 'f', cur.Digits, 64) }
	q := func(x attribution.Quotient) string {
		if !x.Valid() {
			return "n/a"
		}
		return x.Format(cur.Digits)
	}
	s := &ltvSection{Basis: l.Basis, Notes: l.Notes,
		Caption: fmt.Sprintf("Registrations of the %d local months from %s, followed from registering: cumulative revenue (purchases and refunds) in the first 30m days of month m, only where every registration of a cohort is that old. LTV figures are %s (gross margin %s). Projected: BG/NBD and Gamma–Gamma fits, mean first purchase plus 12 months of expected repeat revenue, 95%% interval by the delta method (docs/LTV.md).",
			l.CohortMonths, l.FirstCohort, l.Basis, strconv.FormatFloat(float64(l.GrossMargin), 'f', -1, 64))}
	// Channels of the cohorts that are not in the period's table get the
	// palette's colours that the table does not use, in name order.
	used := map[string]bool{}
	for _, c := range colors {
		used[c] = true
	}
	own := map[string]string{}
	free := 0
	for _, c := range l.Channels {
		if _, ok := colors[c.Channel]; ok || c.Channel == attribution.LTVTotal {
			continue
		}
		for free < len(channelPalette) && used[channelPalette[free]] {
			free++
		}
		if free < len(channelPalette) {
			own[c.Channel] = channelPalette[free]
			free++
		}
	}
	color := func(ch string) template.CSS {
		if c, ok := colors[ch]; ok {
			return template.CSS(c)
		}
		if c, ok := own[ch]; ok {
			return template.CSS(c)
		}
		if ch == attribution.LTVTotal {
			return "#374151"
		}
		return template.CSS(otherColor)
	}
	g := float64(l.GrossMargin)
	maxRatio := 1.0
	for _, c := range l.Channels {
		row := ltvRow{Channel: c.Channel, Color: color(c.Channel), Registrations: c.Registrations, Customers: c.Customers,
			CostPerRegistration: q(c.CostPerRegistration), CostPerCustomer: q(c.CostPerCustomer), Payback: c.Payback.String(),
			LTVObserved: "n/a", LTVProjected: "n/a", LTVToCAC: "n/a", PAlive: "n/a", Total: c.Channel == attribution.LTVTotal}
		if c.ObservedLTV12.Valid() {
			row.LTVObserved = c.ObservedLTV12.Format(cur.Digits)
		}
		if c.ProjectedOK {
			row.LTVProjected = money(c.Projected12.Value)
			if c.Projected12.IntervalOK {
				row.LTVInterval = money(c.Projected12.Low) + " – " + money(c.Projected12.High)
			}
		}
		if c.ProjectedLTVToCAC.Valid {
			row.LTVToCAC = fmt.Sprintf("%.2f×", c.ProjectedLTVToCAC.Value)
			maxRatio = math.Max(maxRatio, c.ProjectedLTVToCAC.Value)
		}
		if c.PAliveMean.Valid {
			row.PAlive = fmt.Sprintf("%.0f%%", 100*c.PAliveMean.Value)
		}
		switch {
		case c.BGNBD == nil:
			row.Model = "none (too few customers)"
		case c.Pooled:
			row.Model = "all channels"
		default:
			row.Model = fmt.Sprintf("own (%d)", c.BGNBD.Customers)
		}
		s.Rows = append(s.Rows, row)
	}
	// LTV/CAC bars, scaled to the largest (at least 1×).
	for _, c := range l.Channels {
		if !c.ProjectedLTVToCAC.Valid {
			continue
		}
		v := c.ProjectedLTVToCAC.Value
		s.Bars = append(s.Bars, ltvBar{Channel: c.Channel, Value: fmt.Sprintf("%.2f×", v), Color: color(c.Channel),
			Width: template.CSS(fmt.Sprintf("%.2f%%", 100*math.Max(v, 0)/maxRatio)), OneX: template.CSS(fmt.Sprintf("%.2f%%", 100/maxRatio)), Below: v < 1})
	}
	s.BarsMax = fmt.Sprintf("%.2f×", maxRatio)

	// Payback chart: pooled cumulative margin per registration against
	// the same cohorts' cost per registration (dashed), per channel.
	months, top := 0, 0.0
	for _, c := range l.Channels {
		months = max(months, c.Curve.ObservedMonths())
		for _, p := range c.Curve.Points {
			if p.Mature {
				top = math.Max(top, math.Max(p.RevenuePerRegistration().Float64()*g, p.CostPerRegistration().Float64()))
			}
		}
	}
	if months == 0 || top <= 0 {
		s.Payback.Empty = true
	} else {
		top = niceCeil(top)
		x := func(m int) float64 {
			if months == 1 {
				return ltvLeft
			}
			return ltvLeft + float64(m-1)*(ltvW-ltvLeft-ltvRight)/float64(months-1)
		}
		y := func(v float64) float64 { return ltvH - ltvBottom - v/top*(ltvH-ltvTop-ltvBottom) }
		for i := 0; i <= 4; i++ {
			v := top * float64(i) / 4
			s.Payback.YTicks = append(s.Payback.YTicks, ltvTick{Pos: y(v), Label: money(v)})
		}
		for m := 1; m <= months; m++ {
			if m == 1 || m%3 == 0 || m == months {
				s.Payback.XTicks = append(s.Payback.XTicks, ltvTick{Pos: x(m), Label: strconv.Itoa(m)})
			}
		}
		for _, c := range l.Channels {
			var pts, cost []string
			ln := ltvLine{Channel: c.Channel, Color: color(c.Channel)}
			last := 0.0
			for _, p := range c.Curve.Points {
				if !p.Mature || p.Month > months {
					continue
				}
				v := p.RevenuePerRegistration().Float64() * g
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p.Month), y(v)))
				last = y(v)
				if cp := p.CostPerRegistration(); cp.Valid() && p.Spend > 0 {
					cost = append(cost, fmt.Sprintf("%.1f,%.1f", x(p.Month), y(cp.Float64())))
				}
				if p.Month == c.Payback.Month {
					ln.Mark, ln.MarkX, ln.MarkY = true, x(p.Month), y(v)
				}
			}
			if len(pts) == 0 {
				continue
			}
			ln.Points, ln.Cost, ln.LabelY = strings.Join(pts, " "), strings.Join(cost, " "), last
			s.Payback.Lines = append(s.Payback.Lines, ln)
		}
	}

	// Cohort triangle: revenue per registration, a blue scale to the
	// largest mature value.
	shown := 0
	for _, c := range l.Cohorts {
		shown = max(shown, c.ObservedMonths())
	}
	for m := 1; m <= shown; m++ {
		s.Months = append(s.Months, m)
	}
	hi := 0.0
	for _, c := range l.Cohorts {
		for _, p := range c.Points {
			if p.Mature {
				hi = math.Max(hi, p.RevenuePerRegistration().Float64())
			}
		}
	}
	s.ScaleMax = money(hi)
	for _, c := range l.Cohorts {
		row := ltvTriangleRow{Channel: c.Channel, Cohort: c.Cohort.String()[:7], Registrations: c.Registrations}
		for m := 1; m <= shown; m++ {
			p := c.At(m)
			if !p.Mature {
				row.Cells = append(row.Cells, ltvCell{Bg: heatNA})
				continue
			}
			v := p.RevenuePerRegistration().Float64()
			t := 0.0
			if hi > 0 {
				t = math.Max(0, v/hi)
			}
			row.Cells = append(row.Cells, ltvCell{Text: money(v), Bg: template.CSS(mix(heatLow, heatHigh, t)), Dark: t > 0.55})
		}
		s.Triangle = append(s.Triangle, row)
	}
	return s
}

// niceCeil rounds v up to 1, 2, 2.5 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if f*p >= v {
			return f * p
		}
	}
	return 10 * p
}

// mix blends two #rrggbb colours, t in [0, 1].
func mix(a, b string, t float64) string {
	ch := func(s string, i int) float64 {
		n, _ := strconv.ParseUint(s[1+2*i:3+2*i], 16, 8)
		return float64(n)
	}
	out := "#"
	for i := 0; i < 3; i++ {
		out += fmt.Sprintf("%02x", int(math.Round(ch(a, i)+(ch(b, i)-ch(a, i))*math.Min(1, t))))
	}
	return out
}
