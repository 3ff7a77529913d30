package reports

import "github.com/origen-analytics/origen/attribution"

// jsonTouch is the multi-touch section of the JSON document
// (docs/MULTITOUCH.md), after the maturity keys: null without
// [touchpoints].
type jsonTouch struct {
	Attribution *jsonAttribution `json:"attribution"`
}

// jsonAttribution is the "attribution" key. Conversions are JSON numbers,
// money decimal strings rounded to the currency's minor unit, undefined
// values null.
type jsonAttribution struct {
	Conversion      string           `json:"conversion"`
	LookbackDays    int              `json:"lookback_days"`
	MarkovOrder     int              `json:"markov_order"`
	HalfLifeDays    float64          `json:"half_life_days"`
	Paths           int64            `json:"paths"`
	ConvertingPaths int64            `json:"converting_paths"`
	Conversions     int64            `json:"conversions"`
	Revenue         string           `json:"revenue"`
	Models          []jsonTouchModel `json:"models"`
	Markov          *jsonMarkov      `json:"markov"`
	TopPaths        []jsonTouchPath  `json:"top_paths"`
	ShapleyMerged   []string         `json:"shapley_merged_channels"`
	Notes           []string         `json:"notes"`
}

type jsonTouchModel struct {
	Model    string             `json:"model"`
	Channels []jsonTouchChannel `json:"channels"`
	Total    jsonTouchChannel   `json:"total"`
}

type jsonTouchChannel struct {
	Channel           string   `json:"channel"`
	Conversions       float64  `json:"conversions"`
	Revenue           string   `json:"revenue"`
	Spend             string   `json:"spend"`
	CostPerConversion *string  `json:"cost_per_conversion"`
	ROAS              *float64 `json:"roas"`
	// ChangeVsLastTouch is conversions ÷ last touch's − 1 (null when last
	// touch credits the channel with nothing, or without the last-touch
	// model).
	ChangeVsLastTouch *float64 `json:"change_vs_last_touch"`
}

type jsonMarkov struct {
	ConversionProbability float64            `json:"conversion_probability"`
	States                int                `json:"states"`
	RemovalEffects        map[string]float64 `json:"removal_effects"`
}

type jsonTouchPath struct {
	Path           string `json:"path"`
	Conversions    int64  `json:"conversions"`
	NonConversions int64  `json:"non_conversions"`
	Revenue        string `json:"revenue"`
}

func jsonTouchOf(r attribution.Report) jsonTouch {
	mt := r.MultiTouch
	if mt == nil {
		return jsonTouch{}
	}
	d := r.Currency.Digits
	s := mt.Settings
	a := &jsonAttribution{Conversion: s.Conversion, LookbackDays: s.LookbackDays, MarkovOrder: s.MarkovOrder, HalfLifeDays: s.HalfLifeDays,
		Paths: mt.Paths, ConvertingPaths: mt.ConvertingPaths, Conversions: mt.Conversions, Revenue: mt.Revenue.Format(d),
		Models: []jsonTouchModel{}, TopPaths: []jsonTouchPath{}, ShapleyMerged: nonNil(mt.ShapleyMerged), Notes: nonNil(mt.Notes)}
	last, hasLast := mt.Model(attribution.ModelLastTouch)
	channel := func(c attribution.ChannelCredit, vs *attribution.ChannelCredit) jsonTouchChannel {
		j := jsonTouchChannel{Channel: c.Channel, Conversions: c.Conversions, Revenue: c.Revenue.Format(d), Spend: c.Spend.Format(d), ROAS: jsonRatio(c.ROAS)}
		if c.CostPerConversionValid {
			v := c.CostPerConversion.Format(d)
			j.CostPerConversion = &v
		}
		if vs != nil {
			j.ChangeVsLastTouch = jsonRatio(attribution.ChangeVsLastTouch(c, *vs))
		}
		return j
	}
	for _, m := range mt.Models {
		jm := jsonTouchModel{Model: string(m.Model), Channels: []jsonTouchChannel{}}
		for _, c := range m.Channels {
			var vs *attribution.ChannelCredit
			if hasLast {
				l := last.Channel(c.Channel)
				vs = &l
			}
			jm.Channels = append(jm.Channels, channel(c, vs))
		}
		jm.Total = channel(m.Total, nil)
		jm.Total.Channel = totalLabel
		a.Models = append(a.Models, jm)
	}
	if mk := mt.Markov; mk != nil {
		a.Markov = &jsonMarkov{ConversionProbability: mk.ConversionProbability, States: mk.States, RemovalEffects: map[string]float64{}}
		for _, re := range mk.RemovalEffects {
			a.Markov.RemovalEffects[re.Channel] = re.Value
		}
	}
	for _, p := range mt.TopPaths {
		a.TopPaths = append(a.TopPaths, jsonTouchPath{Path: p.Path, Conversions: p.Conversions, NonConversions: p.NonConversions, Revenue: p.Revenue.Format(d)})
	}
	return jsonTouch{Attribution: a}
}
