package attribution

import (
	"context"
	"time"
)

// Snapshot is one consistent, read-only view of the business's data, as
// the report pipeline reads it. queries implements it over one database
// transaction; every method runs in that transaction, so all of a report's
// numbers come from the same data. A Snapshot records the statements it
// ran, for the workbook's About sheet.
type Snapshot interface {
	// ReadQuality counts the sources' rows and findings once, source-wide
	// (registrations and purchases; spend when HasSpend). It returns a
	// KindData error for data that would make the report wrong, and the
	// warnings worth a line in the report.
	ReadQuality(ctx context.Context, asOf time.Time) (DataQuality, []string, error)
	// ReadFacts reads every aggregate of FactsRequest in one pass over the
	// per-user facts.
	ReadFacts(ctx context.Context, req FactsRequest) (Facts, error)
	// HasSpend reports whether spend comes from the database; ReadSpend
	// returns its rows per raw channel label and date of p.
	HasSpend() bool
	ReadSpend(ctx context.Context, p Period) ([]DailySpendRow, error)
	// HasEvents reports whether [events] is mapped; ReadProspectEvents
	// streams the open registrations at asOf with their activity and
	// whether they made a first purchase in (asOf, outcomeEnd].
	HasEvents() bool
	ReadProspectEvents(ctx context.Context, asOf, outcomeEnd time.Time, windowDays int, fn func(ProspectActivity) error) error
	// ReadDetail streams the period's cohort one registration at a time.
	ReadDetail(ctx context.Context, req DetailRequest, yield func(DetailRow) error) error
	// ReadBudgetWeeks reads the budget lookback's registrations per raw
	// channel, local ISO week and open day (docs/BUDGET.md, "Data").
	ReadBudgetWeeks(ctx context.Context, req BudgetWeeksRequest) ([]BudgetWeekRow, error)
	// ReadLTV reads the lifetime-value aggregates of req, grouped in SQL
	// (never purchases), and streams req.Customers when set.
	ReadLTV(ctx context.Context, req LTVRequest) (LTVFacts, error)
	// Statements returns the statements run so far, in order.
	Statements() []Statement
}

// Statement is one query as it ran, for the report's audit trail.
type Statement struct {
	Name string
	SQL  string
	Args []any // the bound arguments, in order
}

// FactsRequest names the ranges of one pass (Snapshot.ReadFacts): the
// report period, the comparison period and up to four curve
// specifications. A zero Period reads nothing for it.
type FactsRequest struct {
	AsOf       time.Time
	Location   *time.Location
	WindowDays int
	Period     Period
	Previous   Period
	Curves     []CurveSpec
	// OnProspect, when set, receives every open registration at AsOf
	// (registered less than WindowDays before it, no purchase of amount >
	// 0 up to it), one at a time, after every aggregate of the pass has
	// been read into f: the prospect list comes from the same pass, and
	// can be scored with its curves as it streams.
	OnProspect func(f *Facts, o OpenRegistration) error
	// BudgetWeeks, when not empty, is the budget plan's lookback (whole
	// local ISO weeks): the pass also aggregates its registrations as
	// Snapshot.ReadBudgetWeeks does, into Facts.BudgetWeeks, on the
	// snapshots whose pass can (Facts.HasBudgetWeeks).
	BudgetWeeks Period
}

// MaxCurveSpecs is how many curve specifications one pass reads.
const MaxCurveSpecs = 4

// CurveSpec selects the population of one set of Kaplan–Meier inputs
// (docs/METRICS-COHORTS.md, "Conversion curves"): the registrations in
// [PopulationStart, PopulationEnd) followed up to AsOf; those in
// [OpenStart, OpenEnd) that are immature and not converted by AsOf count as
// open, and those of them that made a first purchase in (AsOf, OutcomeEnd]
// as open-next (a backtest's outcome; a zero OutcomeEnd means AsOf).
// Neither AsOf nor OutcomeEnd may be after the FactsRequest's AsOf, the
// data cutoff: nothing after it is read.
type CurveSpec struct {
	AsOf                           time.Time
	PopulationStart, PopulationEnd time.Time
	OpenStart, OpenEnd             time.Time
	OutcomeEnd                     time.Time
}

// Facts are the aggregates of one pass: the cohort rows of the period and
// of the comparison period, the period's rows per channel and local date,
// and the curve rows of each CurveSpec, in request order.
type Facts struct {
	Cohort   []CohortRow
	Previous []CohortRow
	Days     []DailyRow
	Curves   [][]CurveRow
	// Campaigns, Sources and Dimensions are the period's cohort per
	// channel × campaign, channel × source × medium and channel × value
	// of each declared dimension (the drill-down, drilldown.go).
	Campaigns  []DrillRow
	Sources    []DrillRow
	Dimensions []DimensionFacts
	// BudgetWeeks are the rows Snapshot.ReadBudgetWeeks returns for the
	// request's BudgetWeeks (raw labels), read in the pass when
	// HasBudgetWeeks; otherwise the budget reads them on its own.
	BudgetWeeks    []BudgetWeekRow
	HasBudgetWeeks bool
}

// DetailRequest selects the detail rows: the cohort of Period.
type DetailRequest struct {
	Period     Period
	Location   *time.Location
	AsOf       time.Time
	WindowDays int
	// Labels names the rows' channels as the report did (Report.Labels);
	// nil is NormalizeChannel.
	Labels ChannelLabels
}

// OpenRegistration is a user inside the window at an as-of who has not
// bought yet. Labels are raw.
type OpenRegistration struct {
	UserID        string
	Channel       string
	ChannelValid  bool
	Campaign      string
	CampaignValid bool
	RegisteredAt  time.Time
}

// ProspectActivity is an open registration with its activity and, for a
// training or backtest run, whether it converted by the outcome end.
type ProspectActivity struct {
	OpenRegistration
	Activity  EventActivity
	Converted bool
}

// SpendTable is spend read outside the database (a spend file): its rows
// per raw channel label and date, and how many data rows it has.
type SpendTable struct {
	Days []DailySpendRow
	Rows int64
}
