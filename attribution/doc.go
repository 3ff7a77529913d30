// Package attribution is Origen's core: the domain types of a channel report
// (money, periods, per-channel metrics, data-quality findings) and the pure
// functions that turn aggregated cohort and spend rows into the metrics that
// ../shared/METRICS.md defines. It performs no I/O and imports nothing of
// Origen's own; the queries, reports and fixtures packages depend on it.
package attribution
