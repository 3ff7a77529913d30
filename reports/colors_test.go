package reports

import (
	"fmt"
	"testing"
)

// The ten largest channels (names come largest first) have ten distinct
// colours whatever the smaller ones, and keep them when the small ones
// change.
func TestChannelColorsTenLargestDistinct(t *testing.T) {
	var names []string
	for i := range 25 {
		names = append(names, fmt.Sprintf("channel %02d", i))
	}
	a := channelColors(names)
	seen := map[string]string{}
	for _, n := range names[:10] {
		if other, ok := seen[a[n]]; ok {
			t.Errorf("%s and %s share %s", n, other, a[n])
		}
		seen[a[n]] = n
	}
	b := channelColors(append(names[:10:10], "another small one"))
	for _, n := range names[:10] {
		if a[n] != b[n] {
			t.Errorf("%s changed from %s to %s when the small channels changed", n, a[n], b[n])
		}
	}
	if len(channelPalette) != 10 {
		t.Errorf("the palette has %d colours, want 10", len(channelPalette))
	}
}
