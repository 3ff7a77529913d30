package reports

import "github.com/origen-analytics/origen/attribution"

// jsonDrilldown are the document's drill-down keys (docs/METRICS.md,
// "Drill-down"): every campaign and source row of every channel and every
// value of each declared dimension, none folded.
type jsonDrilldown struct {
	Campaigns  jsonList[jsonCampaign]    `json:"campaigns"`
	Sources    jsonList[jsonSource]      `json:"sources"`
	Dimensions map[string][]jsonDimValue `json:"dimensions"`
	SpendBy    string                    `json:"campaign_spend"`
}

// jsonCampaign is a row of the channel table's keys for one campaign of a
// channel (channel is the channel; spend is null when it is not known per
// campaign).
type jsonCampaign struct {
	Channel  string  `json:"channel"`
	Campaign string  `json:"campaign"`
	Spend    *string `json:"spend"`
	jsonChannel
}

// jsonSource is the same for a source / medium of a channel.
type jsonSource struct {
	Channel string  `json:"channel"`
	Source  string  `json:"source"`
	Medium  string  `json:"medium"`
	Spend   *string `json:"spend"`
	jsonChannel
}

// jsonDimValue is a value of a dimension over all channels (channel
// "Total") with its rows per channel.
type jsonDimValue struct {
	Value   string  `json:"value"`
	Channel string  `json:"channel"`
	Spend   *string `json:"spend"`
	jsonChannel
	ByChannel []jsonDimValue `json:"by_channel"`
}

// jsonDrillRow is the channel table's row of d, judged against its
// channel's targets.
func jsonDrillRow(d attribution.DrillMetrics, r attribution.Report) (jsonChannel, *string) {
	j := jsonRow(d.ChannelMetrics, r.Currency)
	if !r.Targets.IsZero() {
		th := d.Thresholds(r.Targets)
		v := th.Evaluate(d.ChannelMetrics)
		missed := nonNil(v.Missed)
		jt := jsonThresholdsOf(th, r.Currency)
		j.Status, j.MissedTargets, j.Targets = &v.Status, &missed, &jt
	}
	if d.NoSpend {
		return j, nil
	}
	return j, &j.Spend
}

// spendBasis says in the JSON how campaign rows got their spend.
func spendBasis(r attribution.Report) string {
	if r.CampaignSpend {
		return "per_campaign"
	}
	return "channel_only"
}

func jsonDrilldownOf(r attribution.Report) jsonDrilldown {
	out := jsonDrilldown{Dimensions: map[string][]jsonDimValue{}, SpendBy: spendBasis(r)}
	out.Campaigns = jsonListOf(len(r.Campaigns), func(i int) jsonCampaign {
		d := r.Campaigns[i]
		j, spend := jsonDrillRow(d, r)
		return jsonCampaign{Channel: d.Parent, Campaign: d.Campaign, Spend: spend, jsonChannel: j}
	})
	out.Sources = jsonListOf(len(r.Sources), func(i int) jsonSource {
		d := r.Sources[i]
		j, spend := jsonDrillRow(d, r)
		return jsonSource{Channel: d.Parent, Source: d.Source, Medium: d.Medium, Spend: spend, jsonChannel: j}
	})
	for _, dim := range r.Dimensions {
		values := make([]jsonDimValue, 0, len(dim.Values))
		at := map[string]int{}
		for _, d := range dim.Values {
			j, spend := jsonDrillRow(d, r)
			at[d.Value] = len(values)
			values = append(values, jsonDimValue{Value: d.Value, Channel: totalLabel, Spend: spend, jsonChannel: j, ByChannel: []jsonDimValue{}})
		}
		for _, d := range dim.ByChannel {
			j, spend := jsonDrillRow(d, r)
			v := &values[at[d.Value]]
			v.ByChannel = append(v.ByChannel, jsonDimValue{Value: d.Value, Channel: d.Parent, Spend: spend, jsonChannel: j, ByChannel: []jsonDimValue{}})
		}
		out.Dimensions[dim.Name] = values
	}
	return out
}
