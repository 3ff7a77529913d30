package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/attribution"
	"github.com/origen-analytics/origen/fixtures"
	"github.com/origen-analytics/origen/reports"
)

// The kill tests run origen in a child process, the test binary itself
// (TestChildProcess), which kills itself at a named step of the run.
const (
	childArgsVar   = "ORIGEN_TEST_CHILD_ARGS" // the arguments of origen, a JSON array
	childStepVar   = "ORIGEN_TEST_SIGNAL_AT"  // the step (env.fault) at which the child signals itself
	childSignalVar = "ORIGEN_TEST_SIGNAL"     // KILL (default) or TERM
)

// TestChildProcess is origen's main in a child of the kill tests; it is
// skipped in a normal test run. Besides origen's own commands it knows
// "bigworkbook OUT ROWS": a workbook with ROWS rows of detail written with
// writeReport, as origen report does, without a database.
func TestChildProcess(t *testing.T) {
	raw := os.Getenv(childArgsVar)
	if raw == "" {
		t.Skip("only runs as the child of a kill test")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil || len(args) == 0 {
		t.Fatalf("%s=%s: %v", childArgsVar, raw, err)
	}
	step, sig := os.Getenv(childStepVar), syscall.SIGKILL
	if os.Getenv(childSignalVar) == "TERM" {
		sig = syscall.SIGTERM
	}
	e := newEnv(os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	e.fault = func(s string) {
		if s == step {
			fmt.Fprintf(os.Stderr, "signalled at %d\n", time.Now().UnixNano())
			syscall.Kill(os.Getpid(), sig)
			if sig == syscall.SIGKILL {
				select {} // the kernel ends us here
			}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var err error
	if args[0] == "bigworkbook" {
		rows, _ := strconv.Atoi(args[2])
		err = writeBigWorkbook(context.WithValue(ctx, faultKey{}, e.fault), args[1], rows)
	} else {
		err = e.dispatch(ctx, args)
	}
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// writeBigWorkbook writes OUT/big.xlsx, one channel with rows
// registrations listed on the Registrations sheet.
func writeBigWorkbook(ctx context.Context, out string, rows int) error {
	p := fixtures.DemoPeriod()
	rep := attribution.Compute(attribution.Inputs{Period: p, AsOf: fixtures.DemoAsOf, Timezone: "UTC",
		Currency: attribution.Currency{Code: "EUR", Digits: 2}, WindowDays: 30,
		Cohort: []attribution.CohortRow{{Channel: "Paid Search", ChannelValid: true, Days: -1, Count: int64(rows)}}})
	start, _ := p.Bounds(time.UTC)
	detail := func(yield func(attribution.DetailRow) error) error {
		for i := range rows {
			err := yield(attribution.DetailRow{UserID: fmt.Sprintf("user-%09d", i), RegisteredAt: start.Add(time.Duration(i) * time.Second),
				Channel: "Paid Search", Days: -1})
			if err != nil {
				return err
			}
		}
		return nil
	}
	_, err := writeReport(ctx, rep, out, "big", []string{"xlsx"}, reports.WorkbookOptions{Detail: detail})
	return err
}

type childResult struct {
	code     int            // exit code, -1 when a signal ended it
	signal   syscall.Signal // the signal that ended it
	stderr   string
	signaled time.Time // when it signalled itself
	exited   time.Time
}

// runChild runs TestChildProcess with origen's args; vars are added to
// the environment (childStepVar, childSignalVar, TMPDIR).
func runChild(t *testing.T, vars map[string]string, args ...string) childResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
	raw, _ := json.Marshal(args)
	cmd.Env = append(os.Environ(), childArgsVar+"="+string(raw))
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	r := childResult{exited: time.Now(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.signal = ws.Signal()
		}
	default:
		t.Fatalf("child: %v", err)
	}
	for _, line := range strings.Split(r.stderr, "\n") {
		if v, ok := strings.CutPrefix(line, "signalled at "); ok {
			ns, _ := strconv.ParseInt(v, 10, 64)
			r.signaled = time.Unix(0, ns)
		}
	}
	return r
}

// readSet reads the files of a set through their public names; a file
// that cannot be read is missing from the map.
func readSet(dir string, names []string) map[string][]byte {
	m := map[string][]byte{}
	for _, n := range names {
		if b, err := os.ReadFile(filepath.Join(dir, n)); err == nil {
			m[n] = b
		}
	}
	return m
}

// checkCompleteReport checks that a report set read through its public
// names is complete and is the run with as-of asOf.
func checkCompleteReport(t *testing.T, dir string, got map[string][]byte, asOf string) {
	t.Helper()
	for n, b := range got {
		switch filepath.Ext(n) {
		case ".json":
			var doc struct {
				AsOf string `json:"as_of"`
			}
			if err := json.Unmarshal(b, &doc); err != nil || doc.AsOf != asOf {
				t.Errorf("%s: as_of %q, %v; want a complete report as of %s", n, doc.AsOf, err, asOf)
			}
		case ".html":
			if !bytes.Contains(b, []byte("</html>")) {
				t.Errorf("%s is not a complete page", n)
			}
		case ".xlsx":
			f, err := excelize.OpenFile(filepath.Join(dir, n))
			if err != nil {
				t.Errorf("%s is not a complete workbook: %v", n, err)
				continue
			}
			f.Close()
		}
	}
}

// assertNoDebris checks that dir holds exactly the published sets (set →
// its file names), each file a link to its set's one run directory that
// holds exactly those files, and the job locks: nothing that a run left.
func assertNoDebris(t *testing.T, dir string, sets map[string][]string) {
	t.Helper()
	want := map[string]bool{}
	for set, files := range sets {
		want[runsDirName] = true
		for _, f := range files {
			want[f] = true
			if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || !fi.Mode().IsRegular() {
				t.Errorf("%s is not a readable file: %v", f, err)
			}
		}
		run, err := os.Readlink(filepath.Join(dir, runsDirName, set+currentSuffix))
		if err != nil {
			t.Errorf("set %s has no current run: %v", set, err)
			continue
		}
		entries, _ := os.ReadDir(filepath.Join(dir, runsDirName, run))
		if got := names(entries); !slices.Equal(got, slices.Sorted(slices.Values(files))) {
			t.Errorf("run directory of %s holds %v, want %v", set, got, files)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !want[e.Name()] && !(strings.HasPrefix(e.Name(), ".origen-") && strings.HasSuffix(e.Name(), ".lock")) {
			t.Errorf("left in %s: %s", dir, e.Name())
		}
	}
	if len(sets) == 0 {
		return
	}
	area, _ := os.ReadDir(filepath.Join(dir, runsDirName))
	if len(area) != 2*len(sets) {
		t.Errorf("%s holds %v, want a current link and a run directory per set", runsDirName, names(area))
	}
}

// copyTree copies src to dst, keeping symlinks as they are (deref: as
// the files they lead to).
func copyTree(t *testing.T, src, dst string, deref bool) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type()&fs.ModeSymlink != 0 && !deref:
			l, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(l, to)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A run killed (SIGKILL) at any step of writing and publishing its outputs
// leaves the old set or the new one in place, complete, never a mix; and
// the next run leaves no debris. Three starting points: an earlier set of
// this version, files of an Origen before the run directories (regular
// files, and one of its temporary files), and nothing.
func TestKillWhileWritingLeavesNoMixedSetAndNoDebris(t *testing.T) {
	// Few registrations: the test runs the report 60 times.
	db := filepath.Join(t.TempDir(), "small.sqlite")
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	small := fixtures.DemoConfig()
	small.Registrations = 1500
	if err := fixtures.BuildSQLite(t.Context(), conn, small); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	cfg := writeFile(t, t.TempDir(), "origen.toml", fixtures.ConfigTOML("sqlite", db, ""))
	const set = "origen_2026-10-01_2026-11-01"
	files := []string{set + ".xlsx", set + ".html", set + ".json"}
	const oldAsOf, newAsOf = "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z"
	report := func(out, asOf string) []string {
		return []string{"report", "--config", cfg, "--period", "2026-10", "--as-of", asOf, "--out", out}
	}
	template := t.TempDir()
	if _, stderr, code := runCLI(t, nil, report(template, oldAsOf)...); code != 0 {
		t.Fatalf("the old set: exit %d: %s", code, stderr)
	}
	old := readSet(template, files)

	steps := []string{"command report", "staged"}
	for _, f := range files {
		steps = append(steps, "writing "+f, "written "+f)
	}
	steps = append(steps, "synced", "linked", "published", "done")
	// Legacy files are adopted at publication: the steps before are those
	// of an earlier set.
	legacySteps := []string{"synced", "adopted", "linked", "published", "done"}
	for _, start := range []string{"earlier set", "legacy files", "empty"} {
		steps := steps
		if start == "legacy files" {
			steps = legacySteps
		}
		publishedAt := slices.Index(steps, "published")
		for i, step := range steps {
			t.Run(start+"/"+step, func(t *testing.T) {
				out := t.TempDir()
				switch start {
				case "earlier set":
					copyTree(t, template, out, false)
				case "legacy files":
					for _, f := range files {
						writeFile(t, out, f, string(old[f]))
					}
					legacy := writeFile(t, out, "."+files[0]+".123456789.tmp", "partial")
					past := time.Now().Add(-2 * time.Hour)
					os.Chtimes(legacy, past, past)
				}
				tmp := t.TempDir()
				r := runChild(t, map[string]string{childStepVar: step, "TMPDIR": tmp}, report(out, newAsOf)...)
				if r.signal != syscall.SIGKILL {
					t.Fatalf("the child was not killed at %q: exit %d\n%s", step, r.code, r.stderr)
				}
				got := readSet(out, files)
				switch {
				case i >= publishedAt:
					if len(got) != len(files) {
						t.Fatalf("killed after publishing: only %d of the files are readable", len(got))
					}
					checkCompleteReport(t, out, got, newAsOf)
				case start == "empty":
					if len(got) != 0 {
						t.Fatalf("killed before publishing, %d files of a first run are visible", len(got))
					}
				default:
					for _, f := range files {
						if !bytes.Equal(got[f], old[f]) {
							t.Errorf("killed before publishing, %s is not the old file (a mixed set)", f)
						}
					}
				}
				if r := runChild(t, map[string]string{"TMPDIR": tmp}, report(out, newAsOf)...); r.code != 0 {
					t.Fatalf("the next run: exit %d\n%s", r.code, r.stderr)
				}
				checkCompleteReport(t, out, readSet(out, files), newAsOf)
				assertNoDebris(t, out, map[string][]string{set: files})
				if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
					t.Errorf("left in TMPDIR: %v", names(entries))
				}
			})
		}
	}
}

// The details of large workbooks: zipping bigRows takes seconds (about
// 4 s here without the check of the context in stagedFile.Write), and
// largeRows are well over excelize's 16 MiB in-memory limit of a sheet, so
// excelize writes a temporary file.
const (
	bigRows   = 800_000
	largeRows = 150_000
)

// SIGTERM while the workbook of a large detail is being zipped: the run
// exits (code 1) within a second, leaving nothing in the output directory
// or in TMPDIR.
func TestSIGTERMWhileZippingExitsWithinOneSecond(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large workbook")
	}
	out, tmp := t.TempDir(), t.TempDir()
	r := runChild(t, map[string]string{childStepVar: "writing big.xlsx", childSignalVar: "TERM", "TMPDIR": tmp},
		"bigworkbook", out, strconv.Itoa(bigRows))
	if r.code != exitRuntime || !strings.Contains(r.stderr, "interrupted while writing") {
		t.Errorf("exit %d after SIGTERM, want 1 and an interruption while writing:\n%s", r.code, r.stderr)
	}
	if r.signaled.IsZero() {
		t.Fatalf("the child never started zipping:\n%s", r.stderr)
	}
	took := r.exited.Sub(r.signaled)
	t.Logf("exited %v after SIGTERM", took.Round(time.Millisecond))
	if took > time.Second {
		t.Errorf("exited %v after SIGTERM, want within 1s", took.Round(time.Millisecond))
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("left in the output directory: %v", names(entries))
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("left in TMPDIR: %v", names(entries))
	}
}

// SIGKILL while the large workbook is zipped: excelize's temporary file
// is in the run directory, not in TMPDIR, and the next run sweeps it.
func TestSIGKILLWhileZippingLeavesNothingInTMPDIR(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large workbook")
	}
	out, tmp := t.TempDir(), t.TempDir()
	r := runChild(t, map[string]string{childStepVar: "writing big.xlsx", "TMPDIR": tmp}, "bigworkbook", out, strconv.Itoa(largeRows))
	if r.signal != syscall.SIGKILL {
		t.Fatalf("the child was not killed: exit %d\n%s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("left in TMPDIR: %v", names(entries))
	}
	var scratch []string
	filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), "excelize-") {
			scratch = append(scratch, path)
		}
		return nil
	})
	if len(scratch) == 0 {
		t.Errorf("no excelize temporary file in the run directory: is the detail large enough to need one?")
	}
	if r := runChild(t, map[string]string{"TMPDIR": tmp}, "bigworkbook", out, "10"); r.code != 0 {
		t.Fatalf("the next run: exit %d\n%s", r.code, r.stderr)
	}
	assertNoDebris(t, out, map[string][]string{"big": {"big.xlsx"}})
}

// writeSet writes a set of small files with writeAtomically.
func writeSet(t *testing.T, dir, content string, files ...string) error {
	t.Helper()
	var outputs []output
	for _, f := range files {
		outputs = append(outputs, output{filepath.Join(dir, f), func(w io.Writer) error {
			_, err := io.WriteString(w, content+" "+f)
			return err
		}})
	}
	return writeAtomically(context.Background(), outputs)
}

// Sets of different periods live side by side; a set that loses a file
// loses its link; a set whose files someone removed goes with them; what
// is not Origen's is left alone.
func TestSetsInOneDirectory(t *testing.T) {
	out := t.TempDir()
	defer syscall.Umask(syscall.Umask(0o077)) // the outputs are for reading all the same
	mine := []string{"notes.txt", "elsewhere", "dangling"}
	writeFile(t, out, mine[0], "not Origen's")
	os.Symlink("/etc/hostname", filepath.Join(out, mine[1]))
	os.Symlink("missing", filepath.Join(out, mine[2]))
	for _, set := range [][]string{{"a.json", "a.csv"}, {"b.json"}} {
		if err := writeSet(t, out, "1", set...); err != nil {
			t.Fatal(err)
		}
	}
	// a loses its csv: its link goes with the old run.
	if err := writeSet(t, out, "2", "a.json"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "a.json")); string(b) != "2 a.json" {
		t.Errorf("a.json = %q after the rerun", b)
	}
	run, _ := filepath.EvalSymlinks(filepath.Join(out, "a.json"))
	for path, want := range map[string]fs.FileMode{run: 0o644, filepath.Dir(run): 0o755} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", path, fi.Mode().Perm(), err, want)
		}
	}
	if _, err := os.Lstat(filepath.Join(out, "a.csv")); err == nil {
		t.Error("a.csv, which the set no longer has, is still there")
	}
	// Someone removes b's files: its run goes at the next sweep.
	os.Remove(filepath.Join(out, "b.json"))
	if n, err := sweepOutputs(out); err != nil || n != 2 {
		t.Errorf("sweep removed %d entries (%v), want b's current link and run directory", n, err)
	}
	for _, n := range mine {
		if _, err := os.Lstat(filepath.Join(out, n)); err != nil {
			t.Errorf("%s, which is not Origen's, was removed", n)
		}
		os.Remove(filepath.Join(out, n))
	}
	assertNoDebris(t, out, map[string][]string{"a": {"a.json"}})
}

// Origen's area is never used through a link, so the sweep cannot remove
// anything outside the output directory.
func TestOutputAreaThatIsALinkIsRefused(t *testing.T) {
	out, other := t.TempDir(), t.TempDir()
	if err := os.Mkdir(filepath.Join(other, "run-1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, filepath.Join(out, runsDirName)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- writeSet(t, out, "1", "a.json") }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "is not a directory") {
			t.Errorf("err = %v, want a refusal", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("writeAtomically hangs on a linked area")
	}
	if _, err := os.Stat(filepath.Join(other, "run-1")); err != nil {
		t.Errorf("the sweep removed a directory through the link: %v", err)
	}
}

func names(entries []os.DirEntry) []string {
	var s []string
	for _, e := range entries {
		s = append(s, e.Name())
	}
	return s
}
