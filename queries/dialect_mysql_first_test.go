package queries

import (
	"strings"
	"testing"
)

// Every statement that includes first_registrations gets origen_cand in
// its MySQL form, once, and no other dialect's text changes: the include
// still holds the exact text mysqlFirstRegistrations replaces.
func TestMySQLFirstRegistrations(t *testing.T) {
	inc, err := sqlFiles.ReadFile("sql/first_registrations.inc.sql")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(inc), mysqlCandIn); n != 1 {
		t.Fatalf("first_registrations.inc.sql holds mysqlCandIn %d times, want 1: update mysqlCandIn and mysqlCandOut together", n)
	}
	for _, name := range []string{"facts", "detail", "paths", "prospect_events", "budget_weeks"} {
		t.Run(name, func(t *testing.T) {
			text, err := readSQL(name)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, mysqlCandIn) {
				t.Fatalf("%s does not include first_registrations' origen_cand", name)
			}
			got := mysqlSQL(text)
			if strings.Contains(got, "RANK() OVER {{.UserOrder}} AS tie_rank") || strings.Count(got, "HAVING COUNT(*) = 1") != 1 ||
				strings.Count(got, "HAVING COUNT(*) > 1") != 1 {
				t.Errorf("%s: origen_cand not in its MySQL form:\n%s", name, got)
			}
			if again := mysqlFirstRegistrations(text); again == text {
				t.Errorf("%s: mysqlFirstRegistrations changed nothing", name)
			}
		})
	}
}
