package attribution

import (
	"fmt"
	"strings"
	"testing"
)

// Labels that differ only by case, accents or inner white space meet; the
// others (and "(none)") stay apart.
func TestLabelVariants(t *testing.T) {
	ch := func(name string, regs int64) ChannelMetrics {
		return ChannelMetrics{Channel: name, Registrations: regs}
	}
	got := LabelVariants([]ChannelMetrics{
		ch("Paid Search", 120), ch("paid  search", 7), ch("PAID SEARCH", 7), ch("Paid Social", 50),
		ch("Réseaux sociaux", 9), ch("Reseaux Sociaux", 3), ch("Email", 40), ch("E-mail", 2), ch(NoChannel, 5),
	})
	var lines []string
	for _, g := range got {
		var names []string
		for _, m := range g {
			names = append(names, fmt.Sprintf("%s=%d", m.Channel, m.Registrations))
		}
		lines = append(lines, strings.Join(names, ","))
	}
	if len(lines) != 2 || lines[0] != "Paid Search=120,PAID SEARCH=7,paid  search=7" || lines[1] != "Réseaux sociaux=9,Reseaux Sociaux=3" {
		t.Errorf("variants = %q", lines)
	}
}
