package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/origen-analytics/origen/fixtures"
)

// jobConfig writes a config for the demo database with one job.
func jobConfig(t *testing.T, db, job string) string {
	t.Helper()
	dir := t.TempDir()
	return writeFile(t, dir, "origen.toml", fixtures.ConfigTOML("sqlite", db, "")+"\n"+job)
}

// runWith drives run with a custom env (webhook client, fast retries).
func runWith(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := env2(env, &out, &errb)
	err := e.dispatch(context.Background(), args)
	code := exitCode(err, &errb) // before errb is read: it prints the error there
	return out.String(), errb.String(), code
}

func env2(vars map[string]string, out, errb io.Writer) env {
	return env{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""), stdout: out, stderr: errb,
		now: func() time.Time { return time.Now().UTC() }, retryBase: time.Millisecond}
}

func TestRunDryRunTouchesNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "reports")
	cfg := writeFile(t, t.TempDir(), "origen.toml", `[database]
driver = "postgres"
dsn = "postgres://origen:hunter2@127.0.0.1:1/none"
[registrations]
table = "r"
[purchases]
table = "p"
[spend]
table = "s"
[report]
currency = "EUR"
timezone = "Europe/Berlin"
[smtp]
host = "mail.example.com"
from = "origen@example.com"
[[job]]
name = "monthly"
period = "last-month"
mature = true
out = "`+out+`"
formats = ["xlsx", "csv"]
[job.email]
to = ["cfo@example.com"]
[job.webhook]
url = "https://hooks.example.com/services/T0/B0/SECRETPATH"
format = "slack"
`)
	stdout, stderr, code := runWith(t, nil, "run", "--config", cfg, "--dry-run", "--as-of", "2026-11-01T05:00:00Z")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"job monthly", "2026-09-01 to 2026-10-01 exclusive", "origen_monthly_2026-09-01_2026-10-01.xlsx",
		"origen_monthly_2026-09-01_2026-10-01.csv", "cfo@example.com", "https://hooks.example.com/…", "query facts:", "origen_cand AS", "query spend:", "query registrations_quality:", "SELECT 30, channel",
		"query ltv:", "origen_ld AS", "query ltv_spend:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run does not show %q:\n%s", want, stdout)
		}
	}
	// The budget's weeks are part 30 of the pass (SQLite), not a statement of their own.
	if strings.Contains(stdout, "query budget_weeks:") {
		t.Errorf("dry run lists budget_weeks, which the pass reads:\n%s", stdout)
	}
	for _, secret := range []string{"hunter2", "SECRETPATH"} {
		if strings.Contains(stdout+stderr, secret) {
			t.Errorf("dry run shows the secret %q", secret)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("dry run created %s", out)
	}
}

// The same job, data and as-of give byte-identical JSON and CSV and the
// same workbook cells; a rerun replaces the outputs.
func TestRunIsRepeatable(t *testing.T) {
	db := demoDB(t)
	out := t.TempDir()
	cfg := jobConfig(t, db, `[[job]]
name = "monthly"
period = "last-month"
out = "`+out+`"
formats = ["xlsx", "html", "json", "csv"]
`)
	read := func() map[string][]byte {
		m := map[string][]byte{}
		for _, ext := range []string{"json", "csv"} {
			b, err := os.ReadFile(filepath.Join(out, "origen_monthly_2026-10-01_2026-11-01."+ext))
			if err != nil {
				t.Fatal(err)
			}
			m[ext] = b
		}
		return m
	}
	cells := func() string {
		f, err := excelize.OpenFile(filepath.Join(out, "origen_monthly_2026-10-01_2026-11-01.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var b strings.Builder
		for _, s := range f.GetSheetList() {
			rows, _ := f.GetRows(s)
			for _, r := range rows {
				line := strings.Join(r, "|")
				if strings.Contains(line, "Generated") { // the one wall-clock cell
					continue
				}
				b.WriteString(s + ":" + line + "\n")
			}
		}
		return b.String()
	}
	args := []string{"run", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z"}
	if _, stderr, code := runWith(t, nil, args...); code != 0 {
		t.Fatalf("first run: %d %s", code, stderr)
	}
	first, firstCells := read(), cells()
	time.Sleep(1100 * time.Millisecond) // a later wall clock must not matter
	if _, stderr, code := runWith(t, nil, args...); code != 0 {
		t.Fatalf("second run: %d %s", code, stderr)
	}
	second, secondCells := read(), cells()
	for ext := range first {
		if !bytes.Equal(first[ext], second[ext]) {
			t.Errorf("%s differs between two runs", ext)
		}
	}
	if firstCells != secondCells {
		t.Errorf("workbook cells differ between two runs")
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// Delivery to a webhook: the JSON report is posted with the secret header;
// 5xx answers are retried. A failing run posts a failure notice.
func TestRunDeliversToWebhook(t *testing.T) {
	db := demoDB(t)
	var mu sync.Mutex
	var bodies []string
	var headers []string
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		headers = append(headers, r.Header.Get("X-Origen-Secret"))
	}))
	defer srv.Close()
	out := t.TempDir()
	job := `[[job]]
name = "weekly"
period = "2026-W43"
out = "` + out + `"
formats = ["json"]
[job.webhook]
url = "` + srv.URL + `/hook"
header = "X-Origen-Secret"
secret_env = "HOOK_SECRET"
`
	cfg := jobConfig(t, db, job)
	vars := map[string]string{"HOOK_SECRET": "s3cr3t-value"}
	_, stderr, code := runWith(t, vars, "run", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	written, err := os.ReadFile(filepath.Join(out, "origen_weekly_2026-10-19_2026-10-26.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 1 || bodies[0] != string(written) || headers[0] != "s3cr3t-value" || calls != 2 {
		t.Fatalf("calls %d, bodies %d, header %q", calls, len(bodies), headers)
	}
	if strings.Contains(stderr, "s3cr3t-value") {
		t.Error("the secret appears in the logs")
	}

	// A failing run (a column that does not exist) sends a failure notice.
	bad := jobConfig(t, db, job)
	b, _ := os.ReadFile(bad)
	os.WriteFile(bad, bytes.Replace(b, []byte(`amount = "amount"`), []byte(`amount = "total"`), 1), 0o644)
	bodies = nil
	_, stderr, code = runWith(t, vars, "run", "--config", bad, "--as-of", "2026-11-20T00:00:00Z")
	if code != 2 {
		t.Fatalf("failing run: exit %d: %s", code, stderr)
	}
	if len(bodies) != 1 || !strings.Contains(bodies[0], "weekly") || !strings.Contains(bodies[0], "total") {
		t.Errorf("failure notice: %q", bodies)
	}
}

// Two concurrent runs of the same job: one runs, one exits with a clear
// message; a lock left by a killed process is taken over with a warning.
func TestRunLocks(t *testing.T) {
	db := demoDB(t)
	out := t.TempDir()
	cfg := jobConfig(t, db, `[[job]]
name = "monthly"
period = "last-month"
out = "`+out+`"
`)
	bin := filepath.Join(t.TempDir(), "origen")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	// Hold the lock from a child process that then sleeps.
	lockPath := filepath.Join(out, ".origen-monthly.lock")
	holder := exec.Command("flock", "-o", lockPath, "sleep", "30") // -o: sleep must not inherit the lock
	if err := holder.Start(); err != nil {
		t.Skipf("flock(1) unavailable: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	cmd := exec.Command(bin, "run", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z")
	b, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(b), `job "monthly" is already running`) {
		t.Errorf("second run: err %v, output %s", err, b)
	}
	holder.Process.Signal(syscall.SIGKILL)
	holder.Wait()
	// A stale record from a dead holder is taken over with a warning.
	os.WriteFile(lockPath, []byte("pid=999999 started=2026-11-25T05:00:00Z\n"), 0o644)
	b, err = exec.Command(bin, "run", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z").CombinedOutput()
	if err != nil || !strings.Contains(string(b), "stale lock") {
		t.Errorf("run after a dead holder: err %v, output %s", err, b)
	}
	var doc map[string]any
	j, _ := os.ReadFile(filepath.Join(out, "origen_monthly_2026-10-01_2026-11-01.json"))
	if json.Unmarshal(j, &doc) != nil {
		t.Error("the run after takeover wrote no valid JSON")
	}
}

// origen run and origen report share one path: with [report] detail =
// true, a job writes the Registrations sheet and lists the statements that
// ran in About, exactly as origen report does with the same config (before,
// the job's workbook had neither).
func TestRunAndReportWriteTheSameWorkbook(t *testing.T) {
	db := demoDB(t)
	out := t.TempDir()
	cfg := jobConfig(t, db, `[[job]]
name = "monthly"
period = "2026-10"
out = "`+out+`"
formats = ["xlsx"]
`)
	addReportKey(t, cfg, "detail = true")
	asOf := "2026-11-20T00:00:00Z"
	if _, stderr, code := runWith(t, nil, "run", "--config", cfg, "--as-of", asOf); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	reportOut := t.TempDir()
	if _, stderr, code := runWith(t, nil, "report", "--config", cfg, "--period", "2026-10", "--as-of", asOf, "--out", reportOut); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	summary := func(path string) (sheets string, detailRows int, statements []string) {
		t.Helper()
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, _ := f.GetRows("Registrations")
		about, _ := f.GetRows("About")
		for _, r := range about {
			if len(r) > 0 && len(r[0]) > 3 && r[0][0] >= '1' && r[0][0] <= '9' && strings.Contains(r[0], ". ") {
				statements = append(statements, r[0])
			}
		}
		return strings.Join(f.GetSheetList(), ","), len(rows), statements
	}
	js, jr, jst := summary(filepath.Join(out, "origen_monthly_2026-10-01_2026-11-01.xlsx"))
	rs, rr, rst := summary(filepath.Join(reportOut, "origen_2026-10-01_2026-11-01.xlsx"))
	if js != rs || jr != rr || strings.Join(jst, "|") != strings.Join(rst, "|") {
		t.Errorf("job workbook: sheets %s, %d detail rows, statements %v\nreport workbook: sheets %s, %d detail rows, statements %v", js, jr, jst, rs, rr, rst)
	}
	if jr < 2000 || len(jst) < 6 || !strings.Contains(strings.Join(jst, "|"), "facts") || !strings.Contains(strings.Join(jst, "|"), "detail") {
		t.Errorf("job workbook: %d detail rows, statements %v", jr, jst)
	}
}

// [report] max_channels reaches the page: beyond it the channels are one
// "(N other channels)" row, while the workbook and the JSON keep them all.
func TestMaxChannelsFoldsThePage(t *testing.T) {
	db := demoDB(t)
	cfg := jobConfig(t, db, "")
	addReportKey(t, cfg, "max_channels = 3")
	out := t.TempDir()
	if _, stderr, code := runWith(t, nil, "report", "--config", cfg, "--period", "2026-10", "--as-of", "2026-11-20T00:00:00Z", "--out", out); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	page, err := os.ReadFile(filepath.Join(out, "origen_2026-10-01_2026-11-01.html"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(out, "origen_2026-10-01_2026-11-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Channels []struct{ Channel string } `json:"channels"`
	}
	if err := json.Unmarshal(doc, &j); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "other channels") || len(j.Channels) <= 3 {
		t.Errorf("page folds channels: %v; JSON has %d channels", strings.Contains(string(page), "other channels"), len(j.Channels))
	}
}

// addReportKey adds a line to the [report] table of the config at path.
func addReportKey(t *testing.T, path, line string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), "[report]\n", "[report]\n"+line+"\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A job's compare = chooses its comparison like --compare; a wrong value
// is a config error naming the job.
func TestJobCompare(t *testing.T) {
	db := demoDB(t)
	out := t.TempDir()
	cfg := jobConfig(t, db, `[[job]]
name = "monthly"
period = "2026-10"
compare = "none"
out = "`+out+`"
formats = ["json"]
`)
	if _, stderr, code := runWith(t, nil, "run", "--config", cfg, "--as-of", "2026-11-20T00:00:00Z"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "origen_monthly_2026-10-01_2026-11-01.json"))
	if err != nil || !strings.Contains(string(b), `"previous_period": null`) {
		t.Errorf("compare = none: %v\n%.300s", err, b)
	}
	bad := jobConfig(t, db, `[[job]]
name = "monthly"
period = "2026-10"
compare = "last-year"
out = "`+out+`"
`)
	if _, stderr, code := runWith(t, nil, "run", "--config", bad, "--dry-run"); code != 2 || !strings.Contains(stderr, "monthly") || !strings.Contains(stderr, "compare") {
		t.Errorf("compare = last-year: exit %d, %q", code, stderr)
	}
}
