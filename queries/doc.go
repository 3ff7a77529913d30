// Package queries reads Origen's inputs from an existing database: it maps
// the configured tables or SQL onto canonical columns, runs the embedded
// aggregate queries in one read-only snapshot transaction and returns the
// aggregated rows that package attribution turns into metrics. It never
// loads registrations row by row. Spend may also come from a CSV file.
package queries
