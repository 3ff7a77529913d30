package reports

import (
	"hash/fnv"
	"slices"

	"github.com/origen-analytics/origen/attribution"
)

// channelPalette holds well-separated colours that stay readable on white
// and for the common colour-vision deficiencies (Tableau 10 and two more
// of the same family). Grey is kept for attribution.NoChannel.
var channelPalette = []string{
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
	"#b07aa1", "#ff9da7", "#9c755f", "#1f77b4", "#8c564b", "#17becf",
}

// noChannelColor is the colour of attribution.NoChannel: "unknown" reads
// as grey.
const noChannelColor = "#9aa3af"

// channelColors gives each name a colour that depends on the name, not on
// its rank, so a channel keeps its colour across charts, periods and runs:
// the colour is the palette entry at the FNV-1a hash of the name. When
// names want the same entry, the first in name order keeps it and the
// others take the next free entries after theirs (only then does a colour
// depend on which other channels are present). With more names than
// entries, colours repeat.
func channelColors(names []string) map[string]string {
	colors := make(map[string]string, len(names))
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	owner := make([]string, len(channelPalette))
	var moved []string
	for _, name := range sorted {
		switch i := paletteIndex(name); {
		case name == attribution.NoChannel:
			colors[name] = noChannelColor
		case owner[i] == "":
			owner[i] = name
			colors[name] = channelPalette[i]
		default:
			moved = append(moved, name)
		}
	}
	for _, name := range moved {
		i := paletteIndex(name)
		for n := 0; n < len(channelPalette) && owner[i] != ""; n++ {
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
