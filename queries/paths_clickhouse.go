package queries

import (
	"sort"
	"strings"
)

// chPathsExtra are paths.sql's and touch_channels.sql's values on
// ClickHouse (sql/clickhouse/paths.sql): the touchpoints' sub-select, the
// record separator, and LabelOf, the channel of a touch's raw label (t.2)
// by labels (raw -> channel; a raw label missing from it keeps its text).
func (r Reader) chPathsExtra(labels map[string]string) map[string]string {
	const raw = "tupleElement(t, 2)"
	label := raw
	if len(labels) > 0 {
		keys := make([]string, 0, len(labels))
		for k := range labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		from, to := make([]string, len(keys)), make([]string, len(keys))
		for i, k := range keys {
			from[i], to[i] = chQuote(k), chQuote(labels[k])
		}
		label = "transform(" + raw + ", [" + strings.Join(from, ", ") + "], [" + strings.Join(to, ", ") + "], " + raw + ")"
	}
	return map[string]string{
		"Touchpoints": r.chSelect(*r.Mapping.Touchpoints, TouchpointsInput),
		"TouchSep":    `'\x1E'`,
		"LabelOf":     label,
	}
}
