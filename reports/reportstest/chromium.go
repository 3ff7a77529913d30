package reportstest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// PageCheck is what a person would have seen go wrong, or right, when
// opening a page in Chromium with no network.
type PageCheck struct {
	// ConsoleErrors are console.error and console.assert calls and the
	// browser's own error log entries, such as a failed resource load.
	ConsoleErrors []string
	// Exceptions are uncaught exceptions and unhandled promise rejections.
	Exceptions []string
	// Requests are the distinct URLs the page asked for other than its own
	// file, in the order first asked. Every one of them failed: a report must
	// be self-contained. data: and blob: URLs are part of the page and are
	// not listed.
	Requests []string
	// Dialogs are the messages of alert, confirm, prompt and beforeunload
	// dialogs, which were dismissed.
	Dialogs []string
	// Canvases counts the <canvas> elements of the document, and
	// BlankCanvases those whose every pixel has the same colour: nothing was
	// drawn on them. A canvas that cannot be read counts as blank.
	Canvases      int
	BlankCanvases int
	// Title is document.title and Text is document.body.innerText.
	Title string
	Text  string
}

// Problems lists, one sentence each, what in c a client would call broken:
// console errors, exceptions, requests, dialogs and blank canvases. A test of
// a report that must be clean asserts it is empty.
func (c PageCheck) Problems() []string {
	var p []string
	for _, s := range c.ConsoleErrors {
		p = append(p, "console error: "+s)
	}
	for _, s := range c.Exceptions {
		p = append(p, "exception: "+s)
	}
	for _, s := range c.Requests {
		p = append(p, "request outside the page: "+s)
	}
	for _, s := range c.Dialogs {
		p = append(p, "dialog: "+s)
	}
	if c.BlankCanvases > 0 {
		p = append(p, fmt.Sprintf("%d of %d canvases blank", c.BlankCanvases, c.Canvases))
	}
	return p
}

const (
	// pageTimeout bounds one LoadPage call: starting Chromium, loading,
	// settling and the screenshot. It takes about a second here.
	pageTimeout = 90 * time.Second
	// settleMin is the least time waited after the load event, and
	// settleMax the most, for the canvases to stop changing: ECharts
	// animates its first drawing for about a second.
	settleMin = 300 * time.Millisecond
	settleMax = 10 * time.Second
	// settlePoll is the pause between two looks at the canvases; the look
	// itself also waits for two animation frames.
	settlePoll = 100 * time.Millisecond
	// settleStable is how many looks in a row must find the same pixels.
	settleStable = 3
)

// LoadPage opens the file htmlPath in a fresh headless Chromium with a
// width×height viewport and no network, waits until the page has loaded and
// its canvases have stopped changing, and reports what happened. When
// screenshotPNG is not empty it also saves a picture of the whole page,
// viewport-wide, there.
//
// Every request other than the page file itself is failed and listed in
// Requests; dialogs are dismissed and listed in Dialogs. LoadPage skips the
// test when chromium is missing (fails it under CI=true) and fails it when
// the browser cannot load the page in time.
func LoadPage(t testing.TB, htmlPath string, width, height int, screenshotPNG string) PageCheck {
	t.Helper()
	chromium := RequireTool(t, "chromium")
	abs, err := filepath.Abs(htmlPath)
	if err != nil {
		t.Fatalf("locate page: %v", err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("page: %v", err)
	}
	ctx, cancel := callContext(t, pageTimeout)
	defer cancel()
	start := time.Now()
	var browserOut lockedBuffer
	check, shot, err := loadPage(ctx, pageConfig{
		chromium:   chromium,
		profileDir: t.TempDir(),
		pagePath:   abs,
		width:      width,
		height:     height,
		screenshot: screenshotPNG != "",
		browserOut: &browserOut,
	})
	if err != nil {
		t.Fatalf("load %s in Chromium at %dx%d: %v\nchromium output:\n%s", htmlPath, width, height, err, browserOut.String())
	}
	if screenshotPNG != "" {
		if err := os.MkdirAll(filepath.Dir(screenshotPNG), 0o755); err != nil {
			t.Fatalf("create the folder of %s: %v", screenshotPNG, err)
		}
		if err := os.WriteFile(screenshotPNG, shot, 0o644); err != nil {
			t.Fatalf("write screenshot: %v", err)
		}
	}
	t.Logf("chromium checked %s at %dx%d in %s", filepath.Base(htmlPath), width, height, time.Since(start).Round(time.Millisecond))
	return check
}

type pageConfig struct {
	chromium      string
	profileDir    string
	pagePath      string
	width, height int
	screenshot    bool
	browserOut    *lockedBuffer
}

// loadPage does LoadPage's work and returns the check and, if asked for, the
// PNG bytes of the screenshot.
func loadPage(ctx context.Context, cfg pageConfig) (PageCheck, []byte, error) {
	pageURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(cfg.pagePath)}).String()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(cfg.chromium),
		// Tests run as root in CI, where Chromium's sandbox refuses to start.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(cfg.profileDir),
		chromedp.WindowSize(cfg.width, cfg.height),
		// The Fetch interception below fails every request of the page.
		// These flags make sure that nothing it does not see, such as a
		// WebSocket or the browser's own traffic, leaves the machine
		// either: every connection goes to a proxy on a closed local port
		// and no host name resolves.
		chromedp.ProxyServer("http://127.0.0.1:9"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.Flag("force-webrtc-ip-handling-policy", "disable_non_proxied_udp"),
		chromedp.CombinedOutput(cfg.browserOut),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc() // kills the browser if still running and waits for it
	tab, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	if err := chromedp.Do(tab); err != nil {
		return PageCheck{}, nil, fmt.Errorf("start chromium: %w", err)
	}
	// Close the browser before the profile folder is removed.
	defer func() { _ = chromedp.Cancel(tab) }()

	rec := &recorder{pageURL: pageURL}
	// Subscribe before anything can happen; the goroutines handle what
	// needs a command in answer, and end with listenCtx.
	listenCtx, stopListening := context.WithCancel(tab)
	var wg sync.WaitGroup
	defer func() {
		stopListening()
		wg.Wait()
	}()
	paused := chromedp.Events(listenCtx, fetch.RequestPaused)
	dialogs := chromedp.Events(listenCtx, page.JavascriptDialogOpening)
	console := chromedp.Console(listenCtx)
	flushed := make(chan struct{})
	flushMark := "reportstest:flush:" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := chromedp.Listen(listenCtx, rec.listen); err != nil {
		return PageCheck{}, nil, err
	}
	wg.Go(func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			if rec.isPage(ev.Request.URL) {
				_, err = chromedp.Call(listenCtx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			} else {
				rec.request(ev.Request.URL)
				_, err = chromedp.Call(listenCtx, fetch.FailRequest, fetch.FailRequestParams{
					RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient,
				})
			}
			if err != nil && listenCtx.Err() == nil {
				rec.failure(fmt.Errorf("answer the request for %s: %w", ev.Request.URL, err))
			}
		}
	})
	wg.Go(func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			rec.dialog(ev.Message)
			_, err = chromedp.Call(listenCtx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			if err != nil && listenCtx.Err() == nil {
				rec.failure(fmt.Errorf("dismiss the %s dialog %q: %w", ev.Type, ev.Message, err))
			}
		}
	})
	wg.Go(func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Text == flushMark {
				close(flushed)
				continue
			}
			rec.console(m)
		}
	})

	if _, err := chromedp.Call(tab, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: "*"}},
	}); err != nil {
		return PageCheck{}, nil, fmt.Errorf("enable request interception: %w", err)
	}
	// A plain viewport, also for a phone's width: with mobile emulation a
	// page without a viewport meta tag lays out 980 pixels wide and the
	// full-page screenshot comes out cropped and stretched.
	if err := chromedp.Do(tab,
		chromedp.EmulateViewport(int64(cfg.width), int64(cfg.height)),
		chromedp.Navigate(pageURL),
	); err != nil {
		return PageCheck{}, nil, fmt.Errorf("open %s: %w", pageURL, err)
	}

	canvases, err := settle(tab)
	if err != nil {
		return PageCheck{}, nil, err
	}
	var check PageCheck
	check.Canvases = len(canvases)
	for _, c := range canvases {
		if c.Blank {
			check.BlankCanvases++
		}
	}
	if check.Title, err = chromedp.Run(tab, chromedp.Title()); err != nil {
		return PageCheck{}, nil, fmt.Errorf("read the title: %w", err)
	}
	if check.Text, err = chromedp.Run(tab, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`)); err != nil {
		return PageCheck{}, nil, fmt.Errorf("read the text: %w", err)
	}
	var shot []byte
	if cfg.screenshot {
		if shot, err = chromedp.Run(tab, fullPageScreenshot(cfg.width)); err != nil {
			return PageCheck{}, nil, fmt.Errorf("take the screenshot: %w", err)
		}
	}

	// The console stream keeps its order, so once it has delivered a
	// message logged now, it has delivered every message before it.
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`console.debug(`+strconv.Quote(flushMark)+`)`)); err != nil {
		return PageCheck{}, nil, fmt.Errorf("flush the console: %w", err)
	}
	select {
	case <-flushed:
	case <-time.After(5 * time.Second):
		// The page replaced console.debug; what was logged in the last
		// moments may be missing.
	case <-ctx.Done():
		return PageCheck{}, nil, fmt.Errorf("wait for the console messages: %w", ctx.Err())
	}
	stopListening()
	wg.Wait()
	if err := rec.err(); err != nil {
		return PageCheck{}, nil, err
	}
	rec.fill(&check)
	return check, shot, nil
}

// canvasState is what canvasJS reports of one canvas.
type canvasState struct {
	Width  int    `json:"w"`
	Height int    `json:"h"`
	Blank  bool   `json:"blank"`
	Hash   uint32 `json:"hash"`
	Error  string `json:"error,omitempty"`
}

// canvasJS waits for two animation frames (or 200 ms, should frames not come)
// and then reads every canvas. canvas.width and canvas.height are the sizes of
// the backing store in device pixels, which ECharts makes its CSS size times
// devicePixelRatio, so the whole drawing is read whatever the ratio. Copying
// the canvas onto a 2D canvas first reads WebGL canvases too. A canvas is
// blank when every pixel equals the first; the hash tells whether the drawing
// changed since the last look.
const canvasJS = `(async () => {
  const frame = () => new Promise(r => { requestAnimationFrame(() => r()); setTimeout(r, 200); });
  await frame(); await frame();
  const out = [];
  for (const c of document.querySelectorAll('canvas')) {
    const w = c.width, h = c.height;
    if (!w || !h) { out.push({w, h, blank: true, hash: 0}); continue; }
    let px;
    try {
      const copy = document.createElement('canvas');
      copy.width = w; copy.height = h;
      const ctx = copy.getContext('2d');
      ctx.drawImage(c, 0, 0);
      px = new Uint32Array(ctx.getImageData(0, 0, w, h).data.buffer);
    } catch (e) {
      out.push({w, h, blank: true, hash: 0, error: String(e)});
      continue;
    }
    const first = px[0];
    let blank = true, hash = 2166136261;
    for (let i = 0; i < px.length; i++) {
      const v = px[i];
      if (v !== first) blank = false;
      hash = Math.imul(hash ^ v, 16777619) >>> 0;
    }
    out.push({w, h, blank, hash});
  }
  return {ready: document.readyState === 'complete', canvases: out};
})()`

// settle waits until the document is complete and its canvases have shown
// the same pixels for settleStable looks in a row, then returns them. A page
// that keeps animating is taken as it is after settleMax.
func settle(tab context.Context) ([]canvasState, error) {
	type state struct {
		Ready    bool          `json:"ready"`
		Canvases []canvasState `json:"canvases"`
	}
	start := time.Now()
	var last string
	stable := 0
	for {
		s, err := chromedp.Run(tab, chromedp.Evaluate[state](canvasJS, chromedp.EvalAwaitPromise))
		if err != nil {
			return nil, fmt.Errorf("read the canvases: %w", err)
		}
		sig, _ := json.Marshal(s)
		if s.Ready && string(sig) == last {
			stable++
		} else {
			stable = 0
		}
		last = string(sig)
		waited := time.Since(start)
		if (stable >= settleStable-1 && waited >= settleMin) || waited >= settleMax {
			return s.Canvases, nil
		}
		if err := chromedp.Do(tab, chromedp.Sleep(settlePoll)); err != nil {
			return nil, err
		}
	}
}

// fullPageScreenshot captures the whole height of the page, width CSS pixels
// wide, as PNG.
func fullPageScreenshot(width int) chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		m, err := cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		height := 1.0
		if m.CSSContentSize != nil && m.CSSContentSize.Height > height {
			height = m.CSSContentSize.Height
		}
		res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  &page.Viewport{Width: float64(width), Height: height, Scale: 1},
			CaptureBeyondViewport: new(true),
			FromSurface:           new(true),
		})
		if err != nil {
			return nil, err
		}
		return res.Data, nil
	}
}

// recorder collects the events of a page load. Its methods are called from
// chromedp's event loop and from the goroutines of loadPage.
type recorder struct {
	pageURL string

	mu            sync.Mutex
	seen          map[string]bool
	requests      []string
	dialogs       []string
	consoleErrors []string
	exceptions    []string
	errs          []error
}

// listen is given to chromedp.Listen: it records requests the Fetch domain
// may not see, such as a WebSocket, from the Network domain's events.
func (r *recorder) listen(ev any) {
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if !r.isPage(ev.Request.URL) {
			r.request(ev.Request.URL)
		}
	case *network.EventWebSocketCreated:
		r.request(ev.URL)
	}
}

// isPage reports whether u names the page file itself.
func (r *recorder) isPage(u string) bool {
	got, err := url.Parse(u)
	if err != nil {
		return false
	}
	want, _ := url.Parse(r.pageURL)
	return got.Scheme == "file" && got.Path == want.Path
}

func (r *recorder) request(u string) {
	if strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "blob:") {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = make(map[string]bool)
	}
	if !r.seen[u] {
		r.seen[u] = true
		r.requests = append(r.requests, u)
	}
}

func (r *recorder) dialog(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dialogs = append(r.dialogs, msg)
}

func (r *recorder) console(m chromedp.ConsoleMessage) {
	text := m.Text
	switch {
	case m.Source != "":
		// A browser log entry, such as a failed load: its URL is the
		// resource, and it has no line.
		text = fmt.Sprintf("%s: %s (%s)", m.Source, text, m.URL)
	case m.URL != "":
		text += fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case m.IsException():
		r.exceptions = append(r.exceptions, text)
	case m.Type == chromedp.ConsoleError || m.Type == "assert":
		r.consoleErrors = append(r.consoleErrors, text)
	}
}

func (r *recorder) failure(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

func (r *recorder) err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.errs...)
}

func (r *recorder) fill(c *PageCheck) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c.Requests = r.requests
	c.Dialogs = r.dialogs
	c.ConsoleErrors = r.consoleErrors
	c.Exceptions = r.exceptions
}

// lockedBuffer is a bytes.Buffer that Chromium's output goroutine and the
// test may use at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
