package reports

import (
	"hash/fnv"
	"slices"

	"github.com/origen-analytics/origen/attribution"
)

// channelPalette is the Okabe–Ito palette (Okabe & Ito, "Color Universal
// Design", 2008), whose eight colours stay apart for the common
// colour-vision deficiencies, and two dark ones of Paul Tol's muted scheme
// (wine and indigo), so the ten largest channels have ten distinct
// colours. Grey is kept for attribution.NoChannel and the folded channels.
var channelPalette = []string{
	"#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9",
	"#CC79A7", "#F0E442", "#000000", "#882255", "#332288",
}

// noChannelColor is the colour of attribution.NoChannel: "unknown" reads
// as grey.
const noChannelColor = "#9aa3af"

// channelColors gives each name a colour that depends on the name, not on
// its rank, so a channel keeps its colour across charts, periods and runs:
// the colour is the palette entry at the FNV-1a hash of the name. Names
// come largest first: the first len(channelPalette) of them get distinct
// colours (when two want the same entry, the first in name order keeps it
// and the other takes the next free entry after its own; only then does a
// colour depend on which other channels are present). The smaller ones
// keep their hash entry, which may repeat a larger channel's.
func channelColors(names []string) map[string]string {
	colors := make(map[string]string, len(names))
	var top []string
	for _, name := range names {
		switch _, done := colors[name]; {
		case done:
		case name == attribution.NoChannel:
			colors[name] = noChannelColor
		case len(top) < len(channelPalette) && !slices.Contains(top, name):
			top = append(top, name)
		default:
			colors[name] = channelPalette[paletteIndex(name)]
		}
	}
	slices.Sort(top)
	owner := make([]string, len(channelPalette))
	var moved []string
	for _, name := range top {
		if i := paletteIndex(name); owner[i] == "" {
			owner[i] = name
			colors[name] = channelPalette[i]
		} else {
			moved = append(moved, name)
		}
	}
	for _, name := range moved {
		i := paletteIndex(name)
		for owner[i] != "" {
			i = (i + 1) % len(channelPalette)
		}
		owner[i] = name
		colors[name] = channelPalette[i]
	}
	return colors
}

// paletteIndex is a name's preferred palette entry.
func paletteIndex(name string) int {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32() % uint32(len(channelPalette)))
}
