package reports

import (
	_ "embed"
	"fmt"
	"strconv"

	"github.com/origen-analytics/origen/attribution"
)

// touchSource holds the page's multi-touch section ({{define "touch"}} and
// its CSS, {{define "touch-css"}}). Its chart is inline SVG drawn here, so
// it needs no script (and no change to the page's content policy).
//
//go:embed templates/touch.html
var touchSource string

// modelPalette colours the models in the grouped bar chart.
var modelPalette = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f"}

// pageTopPaths is how many paths the page lists (the workbook has more).
const pageTopPaths = 20

// touchView is the data of the page's multi-touch section.
type touchView struct {
	Intro   string
	Models  []touchModelView
	Chart   touchChart
	Conv    []touchRow // attributed conversions per channel and model
	CAC     []touchRow // cost per attributed conversion
	Paths   []touchPathView
	PathsOf string
	Markov  string
	Removal []touchRemoval
	Notes   []string
}

type touchModelView struct{ Title, Color string }

type touchRow struct {
	Name  string
	Total bool
	Cells []string
}

type touchPathView struct{ Path, Conversions, NonConversions, Revenue string }

type touchRemoval struct{ Channel, Value string }

// touchChart is a horizontal grouped bar chart: per channel a bar per
// model, lengths proportional to the attributed conversions.
type touchChart struct {
	Width, Height int
	Label         int // x where the bars start
	Groups        []touchGroup
	Ticks         []touchTick
}

type touchGroup struct {
	Name string
	Y    int // baseline of the name
	Bars []touchBar
}

type touchBar struct {
	X, Y, W, H int
	Color      string
	Title      string
}

type touchTick struct {
	X    int
	Text string
}

// newTouchSection builds the section of r; nil without multi-touch.
func newTouchSection(r attribution.Report) *touchView {
	mt := r.MultiTouch
	if mt == nil {
		return nil
	}
	d := r.Currency.Digits
	v := &touchView{Intro: touchIntro(*mt), Notes: mt.Notes}
	for i, m := range mt.Models {
		v.Models = append(v.Models, touchModelView{Title: attribution.TouchModelTitle(m.Model), Color: modelPalette[i%len(modelPalette)]})
	}
	names := touchChannels(*mt)
	var top float64
	for _, m := range mt.Models {
		for _, c := range m.Channels {
			top = max(top, c.Conversions)
		}
	}
	const bar, gap, label, width = 8, 14, 170, 760
	c := touchChart{Width: width, Label: label}
	y := 24
	span := float64(width - label - 20)
	for _, name := range names {
		g := touchGroup{Name: name, Y: y + len(mt.Models)*bar/2 + 4}
		for mi, m := range mt.Models {
			cr := m.Channel(name)
			w := 0
			if top > 0 {
				w = int(cr.Conversions / top * span)
			}
			g.Bars = append(g.Bars, touchBar{X: label, Y: y + mi*bar, W: max(w, 0), H: bar - 1, Color: v.Models[mi].Color,
				Title: fmt.Sprintf("%s, %s: %.2f conversions", name, v.Models[mi].Title, cr.Conversions)})
		}
		c.Groups = append(c.Groups, g)
		y += len(mt.Models)*bar + gap
	}
	c.Height = y + 4
	for i := 0; i <= 4 && top > 0; i++ {
		c.Ticks = append(c.Ticks, touchTick{X: label + int(float64(i)/4*span), Text: strconv.FormatFloat(top*float64(i)/4, 'f', 1, 64)})
	}
	v.Chart = c
	row := func(name string, total bool, cell func(attribution.ModelCredit) string) touchRow {
		tr := touchRow{Name: name, Total: total}
		for _, m := range mt.Models {
			tr.Cells = append(tr.Cells, cell(m))
		}
		return tr
	}
	for _, name := range names {
		v.Conv = append(v.Conv, row(name, false, func(m attribution.ModelCredit) string { return fmt.Sprintf("%.2f", m.Channel(name).Conversions) }))
		v.CAC = append(v.CAC, row(name, false, func(m attribution.ModelCredit) string { return costText(m.Channel(name), d) }))
	}
	v.Conv = append(v.Conv, row(totalLabel, true, func(m attribution.ModelCredit) string { return fmt.Sprintf("%.2f", m.Total.Conversions) }))
	v.CAC = append(v.CAC, row(totalLabel, true, func(m attribution.ModelCredit) string { return costText(m.Total, d) }))
	for i, p := range mt.TopPaths {
		if i == pageTopPaths {
			break
		}
		v.Paths = append(v.Paths, touchPathView{Path: p.Path, Conversions: formatCount(p.Conversions), NonConversions: formatCount(p.NonConversions),
			Revenue: p.Revenue.Format(d) + " " + r.Currency.Code})
	}
	v.PathsOf = fmt.Sprintf("The %d most followed of %s distinct paths; the workbook's Paths sheet lists up to %s.", len(v.Paths), formatCount(mt.Paths), formatCount(attribution.MaxTopPaths))
	if mk := mt.Markov; mk != nil {
		v.Markov = fmt.Sprintf("Markov chain of order %d over %s states: conversion probability %.4f. A channel's removal effect is the share of conversions lost when it is taken out of the chain.",
			mk.Order, formatCount(int64(mk.States)), mk.ConversionProbability)
		for _, re := range mk.RemovalEffects {
			v.Removal = append(v.Removal, touchRemoval{Channel: re.Channel, Value: fmt.Sprintf("%.1f%%", re.Value*100)})
		}
	}
	return v
}

func costText(c attribution.ChannelCredit, digits int) string {
	if !c.CostPerConversionValid {
		return "n/a"
	}
	return c.CostPerConversion.Format(digits)
}
