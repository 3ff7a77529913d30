// Package reportstest checks Origen's reports in the programs that clients
// open them with: LibreOffice Calc for the workbook and Chromium for the HTML
// page. Tests in other packages use it to read a workbook as LibreOffice
// recalculates and formats it, and to load a page with the network cut off
// and collect what a person would see go wrong (console errors, exceptions,
// dialogs, outside requests, blank charts).
//
// A helper that needs a program it cannot find skips the test, except under
// CI=true, where it fails it: a check that needs a real client never passes
// silently in CI.
//
// A test of the report writers uses it like this:
//
//	sheets := reportstest.ConvertToCSV(t, xlsxPath)
//	if got := sheets["Summary"][3][1]; got != "12.34%" { ... }
//
//	for _, w := range []int{1280, 390} {
//		c := reportstest.LoadPage(t, htmlPath, w, 800, "")
//		if p := c.Problems(); len(p) > 0 {
//			t.Errorf("at %d px: %q", w, p)
//		}
//	}
package reportstest
