package reportstest

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/origen-analytics/origen/internal/ci"
)

// openpyxlScript prints every row of one sheet as openpyxl reads it in
// read-only mode, which trusts the sheet's <dimension>: a row or column
// outside it is not read. Cells are printed as text ("" for empty).
const openpyxlScript = `
import json, sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
ws = wb[sys.argv[2]]
rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
json.dump({"dimension": ws.calculate_dimension(), "rows": rows, "version": openpyxl.__version__}, sys.stdout)
`

// pythonCandidates are the interpreters tried for openpyxl, in order: the
// one on PATH, then Debian's, which python3-openpyxl installs into (a
// PATH python3 from pyenv or a virtualenv does not see it).
var pythonCandidates = []string{"python3", "/usr/bin/python3"}

// Openpyxl is what ReadWithOpenpyxl read: the dimension openpyxl takes
// from the sheet, and its rows.
type Openpyxl struct {
	Dimension string
	Rows      [][]string
	Version   string
}

// ReadWithOpenpyxl reads sheet of the workbook at xlsxPath with openpyxl
// in read-only mode (load_workbook(read_only=True), as scripts that read
// large workbooks do). It skips the test when no python3 with openpyxl is
// found (fails it under CI=true: .ci/run installs Debian's
// python3-openpyxl) and fails it when the read fails.
func ReadWithOpenpyxl(t testing.TB, xlsxPath, sheet string) Openpyxl {
	t.Helper()
	python := requireOpenpyxl(t)
	ctx, cancel := callContext(t, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", openpyxlScript, xlsxPath, sheet)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openpyxl read of sheet %q of %s: %v", sheet, xlsxPath, err)
	}
	var got struct {
		Dimension string     `json:"dimension"`
		Rows      [][]string `json:"rows"`
		Version   string     `json:"version"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("openpyxl output of %s: %v\n%s", xlsxPath, err, out)
	}
	return Openpyxl{Dimension: got.Dimension, Rows: got.Rows, Version: got.Version}
}

// requireOpenpyxl returns the first of pythonCandidates that imports
// openpyxl.
func requireOpenpyxl(t testing.TB) string {
	t.Helper()
	var tried []string
	for _, name := range pythonCandidates {
		path, err := exec.LookPath(name)
		if err != nil {
			tried = append(tried, name+": not found")
			continue
		}
		ctx, cancel := callContext(t, 30*time.Second)
		out, err := runTool(ctx, nil, path, "-c", "import openpyxl")
		cancel()
		if err == nil {
			return path
		}
		tried = append(tried, path+": "+string(out))
	}
	if ci.Enabled(os.Getenv) {
		t.Fatalf("python3 with openpyxl is required under CI=%s but not found (.ci/run installs python3-openpyxl): %q", os.Getenv("CI"), tried)
	}
	t.Skipf("python3 with openpyxl not found, skipping (under CI=true this fails): %q", tried)
	return ""
}
