// Package reports renders an attribution.Report as the outputs of
// `origen report`: a JSON document that scheduled jobs read (WriteJSON), an
// Excel workbook that finance audits (WriteWorkbook, WriteWorkbookWith), a
// single self-contained HTML decision page that opens offline (WriteHTML,
// WriteHTMLWith) and a flat CSV (WriteCSV).
//
// The writers only format: every number comes from the Report. The column
// layout, n/a rules, plain-word definitions and spreadsheet formulas shared
// by the workbook, the page and the JSON live in one table (columns.go), so
// a formula the workbook writes computes exactly the value the JSON holds.
// File names, temporary files and atomic renames are the caller's business.
package reports
