// Package ci tells test helpers whether they run in continuous integration,
// where a missing dependency (PostgreSQL, LibreOffice, Chromium) must fail a
// test instead of skipping it. It is internal to Origen and used only by
// test helpers (fixtures/pgtest, reports/reportstest).
package ci

import "strconv"

// Enabled reports whether the environment variable CI, read with getenv
// (os.Getenv outside tests), holds a true value as strconv.ParseBool reads
// it: "1", "t", "T", "true", "TRUE", "True". CI runners set CI=true and
// some CI=1. Unset, empty, a false value or anything ParseBool does not
// read (such as "yes") is not CI: those runs skip.
func Enabled(getenv func(string) string) bool {
	on, err := strconv.ParseBool(getenv("CI"))
	return err == nil && on
}
