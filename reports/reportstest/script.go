package reportstest

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// PageOptions say how EvalInPage opens a page.
type PageOptions struct {
	Width, Height int
	// NoJavaScript turns the page's scripts off, as a reader with
	// JavaScript disabled (or a strict mail client) sees the page.
	NoJavaScript bool
}

// EvalInPage opens the file htmlPath in a fresh headless Chromium with no
// network (every connection goes to a closed local port and no host name
// resolves), waits for the load event, and evaluates each JavaScript
// expression in turn, as a person's clicks and reads would happen: an
// expression may act on the page (click a button, type in a field) and
// return what is shown then. Each result must be a string. With
// NoJavaScript the page's own scripts do not run; the expressions still do,
// from outside the page, to read it.
//
// It checks behaviour, not health: use LoadPage for console errors,
// requests and blank canvases. It skips the test when chromium is missing
// (fails it under CI=true) and fails it when the browser cannot load the
// page or an expression throws.
func EvalInPage(t testing.TB, htmlPath string, o PageOptions, exprs ...string) []string {
	t.Helper()
	chromium := RequireTool(t, "chromium")
	abs, err := filepath.Abs(htmlPath)
	if err != nil {
		t.Fatalf("locate page: %v", err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("page: %v", err)
	}
	if o.Width == 0 || o.Height == 0 {
		o.Width, o.Height = 1280, 900
	}
	ctx, cancel := callContext(t, pageTimeout)
	defer cancel()
	var browserOut lockedBuffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(o.Width, o.Height),
		chromedp.ProxyServer("http://127.0.0.1:9"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.CombinedOutput(&browserOut),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	defer func() { _ = chromedp.Cancel(tab) }()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s: %s\nchromium output:\n%s", htmlPath, fmt.Sprintf(format, args...), browserOut.String())
	}
	if err := chromedp.Do(tab); err != nil {
		fail("start chromium: %v", err)
	}
	if o.NoJavaScript {
		if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			fail("turn JavaScript off: %v", err)
		}
	}
	pageURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	start := time.Now()
	if err := chromedp.Do(tab, chromedp.EmulateViewport(int64(o.Width), int64(o.Height)), chromedp.Navigate(pageURL)); err != nil {
		fail("open: %v", err)
	}
	results := make([]string, len(exprs))
	for i, e := range exprs {
		if results[i], err = chromedp.Run(tab, chromedp.Evaluate[string](e)); err != nil {
			fail("evaluate %q: %v", e, err)
		}
	}
	t.Logf("chromium ran %d expressions in %s at %dx%d in %s", len(exprs), filepath.Base(htmlPath), o.Width, o.Height, time.Since(start).Round(time.Millisecond))
	return results
}
