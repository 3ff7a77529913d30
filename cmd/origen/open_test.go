package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/origen-analytics/origen/fixtures"
)

// A SQLite database whose path holds '#', '%' or '?' opens read-only and
// reports on its data: the file: URI escapes them (unescaped, '#' cut the
// path short, dropped mode=ro and made SQLite create an empty database).
func TestSQLitePathWithSpecialCharacters(t *testing.T) {
	src := demoDB(t)
	want, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	dir := filepath.Join(root, "data #1 100%")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "shop#2%41?x=1.sqlite")
	if err := os.WriteFile(db, want, 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cfg := writeFile(t, t.TempDir(), "origen.toml", fixtures.ConfigTOML("sqlite", db, ""))
	_, stderr, code := runCLI(t, nil, "report", "--config", cfg, "--from", "2026-10-01", "--to", "2026-11-01",
		"--as-of", "2026-11-20T00:00:00Z", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if doc := readJSON(t, filepath.Join(out, "origen_2026-10-01_2026-11-01.json")); doc.Total.Registrations == 0 {
		t.Error("the report has no registrations: it did not read the database")
	}
	var files []string
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 1 || files[0] != db {
		t.Errorf("files next to the database after the report: %q, want only %q", files, db)
	}
	if got, _ := os.ReadFile(db); !bytes.Equal(got, want) {
		t.Error("the database file changed")
	}
}
