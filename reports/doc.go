// Package reports renders an attribution.Report as the three outputs of
// `origen report`: a JSON document that scheduled jobs read (WriteJSON), an
// Excel workbook that finance audits (WriteWorkbook) and a single
// self-contained HTML page with charts that opens offline (WriteHTML).
//
// The writers only format: every number comes from the Report, and the
// column layout, n/a rules and plain-word definitions shared by the
// workbook and the HTML table live in one table (columns.go). File names,
// temporary files and atomic renames are the caller's business.
package reports
