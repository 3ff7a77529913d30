package reportstest

import (
	"bytes"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fileURL is the file:// URL Chromium gives to a file in testdata.
func fileURL(t *testing.T, name string) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

func TestLoadPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		page  string
		check func(t *testing.T, c PageCheck)
	}{
		{"canvas.html", func(t *testing.T, c PageCheck) {
			if c.Canvases != 1 || c.BlankCanvases != 0 {
				t.Errorf("canvases %d, blank %d; want 1, 0", c.Canvases, c.BlankCanvases)
			}
			if c.Title != "Drawn canvas" {
				t.Errorf("title %q", c.Title)
			}
			if !strings.Contains(c.Text, "Spend by channel") {
				t.Errorf("text %q lacks the heading", c.Text)
			}
			if p := c.Problems(); len(p) != 0 {
				t.Errorf("problems: %q", p)
			}
		}},
		{"blank-canvas.html", func(t *testing.T, c PageCheck) {
			if c.Canvases != 2 || c.BlankCanvases != 1 {
				t.Errorf("canvases %d, blank %d; want 2, 1", c.Canvases, c.BlankCanvases)
			}
			if p := c.Problems(); !slices.Equal(p, []string{"1 of 2 canvases blank"}) {
				t.Errorf("problems: %q", p)
			}
		}},
		{"dpr-canvas.html", func(t *testing.T, c PageCheck) {
			if c.Canvases != 1 || c.BlankCanvases != 0 {
				t.Errorf("canvases %d, blank %d; want 1, 0: the drawing beyond the CSS size was missed", c.Canvases, c.BlankCanvases)
			}
		}},
		{"alert.html", func(t *testing.T, c PageCheck) {
			if !slices.Equal(c.Dialogs, []string{"x"}) {
				t.Errorf("dialogs %q, want [x]", c.Dialogs)
			}
			if !strings.Contains(c.Text, "after the alert") {
				t.Errorf("text %q: the page did not go on after the dialog", c.Text)
			}
		}},
		{"cdn.html", func(t *testing.T, c PageCheck) {
			if !slices.Equal(c.Requests, []string{"https://cdn.example.com/x.js"}) {
				t.Errorf("requests %q", c.Requests)
			}
			// The script's onerror handler sets the title: the page saw
			// the request fail.
			if c.Title != "CDN blocked" {
				t.Errorf("title %q: the request to the CDN did not fail", c.Title)
			}
		}},
		{"console-error.html", func(t *testing.T, c PageCheck) {
			if len(c.ConsoleErrors) != 1 || !strings.HasPrefix(c.ConsoleErrors[0], "chart spend failed") {
				t.Errorf("console errors %q, want one: chart spend failed", c.ConsoleErrors)
			}
			if len(c.Exceptions) != 1 || !strings.Contains(c.Exceptions[0], "Error: boom") {
				t.Errorf("exceptions %q, want one with Error: boom", c.Exceptions)
			}
		}},
		{"sibling.html", func(t *testing.T, c PageCheck) {
			want := []string{
				fileURL(t, "sibling.js"),
				"https://api.example.com/track",
				"https://embed.example.com/widget",
				"https://img.example.com/bg.png",
				"https://img.example.com/logo.png",
				"wss://ws.example.com/live",
			}
			// The order of the requests is the browser's business.
			slices.Sort(want)
			got := slices.Sorted(slices.Values(c.Requests))
			if !slices.Equal(got, want) {
				t.Errorf("requests\n got %q\nwant %q", got, want)
			}
			if c.Title == "sibling.js ran" {
				t.Error("the file beside the page was loaded")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.page, ".html"), func(t *testing.T) {
			t.Parallel()
			c := LoadPage(t, filepath.Join("testdata", tt.page), 1280, 800, "")
			tt.check(t, c)
			if t.Failed() {
				t.Logf("page check: %#v", c)
			}
		})
	}
}

func TestLoadPageScreenshot(t *testing.T) {
	t.Parallel()
	for _, vp := range []struct {
		name          string
		width, height int
	}{
		{"desktop", 1280, 800},
		{"phone", 390, 844},
	} {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			shot := filepath.Join(t.TempDir(), vp.name+".png")
			c := LoadPage(t, filepath.Join("testdata", "clean.html"), vp.width, vp.height, shot)
			if p := c.Problems(); len(p) != 0 {
				t.Errorf("problems: %q", p)
			}
			if c.Canvases != 1 || c.BlankCanvases != 0 {
				t.Errorf("canvases %d, blank %d; want 1, 0", c.Canvases, c.BlankCanvases)
			}
			// The page writes this once its 600 ms animation ends: LoadPage
			// waited for the final picture.
			if !strings.Contains(c.Text, "animation done") {
				t.Errorf("text %q: LoadPage did not wait for the animation", c.Text)
			}
			b, err := os.ReadFile(shot)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("screenshot is no PNG: %v", err)
			}
			if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != vp.width || h < 1500 {
				t.Errorf("screenshot %dx%d, want %d wide and the whole page (over 1500) high", w, h, vp.width)
			}
			if !hasTwoColours(img) {
				t.Error("screenshot has a single colour")
			}
		})
	}
}
