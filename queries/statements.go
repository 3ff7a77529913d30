package queries

// Statements renders the queries Read would run for p without running
// them, for `origen run --dry-run` and the report's audit trail.
func (r Reader) Statements(p Params) ([]Statement, error) {
	names := []string{"registrations_quality", "purchases_quality"}
	if r.Mapping.Spend != nil {
		names = append(names, "spend_quality")
	}
	names = append(names, "cohort")
	if r.Mapping.Spend != nil {
		names = append(names, "spend")
	}
	var out []Statement
	for _, n := range names {
		q, _, err := r.prepare(n, p.args())
		if err != nil {
			return nil, err
		}
		out = append(out, Statement{Name: n, SQL: q})
	}
	return out, nil
}
