package reports

import (
	"fmt"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// checkReport rejects a Report that no writer can render faithfully.
func checkReport(r attribution.Report) error {
	if d := r.Currency.Digits; d < 0 || d > 4 {
		return fmt.Errorf("currency %q has %d minor-unit digits, Money holds 0 to 4", r.Currency.Code, d)
	}
	return nil
}

// isCurrencyCode reports whether code looks like an ISO 4217 code, the only
// form that is safe to quote inside a spreadsheet number format.
func isCurrencyCode(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

// currencyLabel names the report currency in prose.
func currencyLabel(cur attribution.Currency) string {
	if cur.Code == "" {
		return "the report currency"
	}
	return cur.Code
}

// inZone returns t in the report's time zone so people read local times;
// it keeps t's own location when the zone cannot be loaded (cmd/origen has
// already validated it, so that only happens in hand-built reports).
func inZone(t time.Time, tz string) time.Time {
	if tz == "" {
		return t
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return t
	}
	return t.In(loc)
}

// humanTime formats an instant for people, in the report time zone with
// its UTC offset; "" for the zero time.
func humanTime(t time.Time, tz string) string {
	if t.IsZero() {
		return ""
	}
	return inZone(t, tz).Format("2006-01-02 15:04:05 -07:00")
}

// lastDay is the last date the half-open period [From, To) includes.
func lastDay(p attribution.Period) attribution.Date { return p.To.AddDays(-1) }

// periodText shows the period with its last day inclusive, as people read
// ranges; the exclusive bound is a query detail.
func periodText(p attribution.Period) string {
	return p.From.String() + " to " + lastDay(p).String()
}

// finding is one line of the data-quality section: a count, or for List
// findings the channel names concerned.
type finding struct {
	Label string
	Count int64
	List  bool
	Names []string
}

// qualityFindings lists what Origen found in the cohort and what it did
// about it, zeros included so readers see that each check ran.
func qualityFindings(r attribution.Report) []finding {
	q := r.Quality
	return []finding{
		{Label: "Duplicate registrations ignored (a user counts once)", Count: q.DuplicateRegistrations},
		{Label: "Existing customers left out (bought before registering)", Count: q.ExistingCustomers},
		{Label: "Registrations without a channel, shown as " + attribution.NoChannel, Count: q.NoChannel},
		{Label: "Immature registrations (may still convert)", Count: r.Total.Immature},
		{Label: "Channels with spend but no registrations", List: true, Names: q.SpendWithoutRegistrations},
	}
}

// check is one data-quality check of the Data quality sheet and the
// page: what was counted in which input, and what Origen did about it.
type check struct {
	Source string // "Registrations", "Purchases" or "Spend"
	Label  string
	Count  int64
	Names  []string // the channels concerned, when the check lists them
	Action string
}

// qualityChecks lists every check Origen ran, zeros included so readers
// see that each ran. Source-wide row counts come first, then what the
// period's cohort and spend showed.
func qualityChecks(r attribution.Report) []check {
	q := r.Quality
	const reg, pur, spend = "Registrations", "Purchases", "Spend"
	return []check{
		{reg, "Rows read", q.RegistrationRows, nil, "Every row the [registrations] mapping returns, before any check."},
		{reg, "Without user_id", q.RegistrationsNoUser, nil, "Ignored: a registration must name its user."},
		{reg, "Without a readable registered_at", q.RegistrationsNoTime, nil, "Ignored."},
		{reg, "Registered after as-of", q.RegistrationsAfterAsOf, nil, "Not counted: as-of is the data cutoff, so they do not exist for this report."},
		{reg, "Duplicate registrations of the period's users", q.DuplicateRegistrations, nil, "Ignored: each user counts once, at the earliest registration, with its channel."},
		{reg, "Without a channel (NULL, empty or blank)", q.NoChannel, nil, "Counted under " + attribution.NoChannel + "."},
		{reg, "Purchased before registering (existing customers)", q.ExistingCustomers, nil, "Left out of the cohort: they were customers already, not prospects."},
		{reg, "Immature (conversion window not over at as-of)", r.Total.Immature, nil, "Counted; they may still convert, so their channels' conversion rates are understated until they mature."},
		{pur, "Rows read", q.PurchaseRows, nil, "Every row the [purchases] mapping returns, before any check."},
		{pur, "Without user_id, readable purchased_at or amount", q.PurchasesIgnored, nil, "Ignored."},
		{pur, "… of which a NULL or unreadable amount", q.PurchasesNullAmount, nil, "Ignored (counted in the line above)."},
		{pur, "Purchased after as-of", q.PurchasesAfterAsOf, nil, "Not counted."},
		{pur, "Refunds (negative amount)", q.Refunds, nil, "Subtracted from revenue when inside a registration's conversion window; a refund never makes a customer."},
		{pur, "Zero amount", q.ZeroAmountPurchases, nil, "Ignored for conversion: a purchase needs an amount above zero."},
		{spend, "Rows read", q.SpendRows, nil, "Every row of the [spend] source, before any check."},
		{spend, "Rows dated in the period", q.SpendRowsInPeriod, nil, "Summed by channel."},
		{spend, "Without a readable date or amount", q.SpendIgnored, nil, "Ignored."},
		{spend, "… of which a NULL or unreadable amount", q.SpendNullAmount, nil, "Ignored (counted in the line above)."},
		{spend, "Negative amount", 0, nil, "Refused: negative spend stops the report with an error (exit code 3), so a written report has none."},
		{spend, "Rows of channels with spend but no registrations", q.SpendWithoutRegistrationsRows, q.SpendWithoutRegistrations,
			"Shown as channel rows with their spend (" + attribution.GroupDigits(q.SpendWithoutRegistrationsAmount.Format(r.Currency.Digits)) + " " + currencyLabel(r.Currency) +
				" in total); their cost per registration and cost per customer are n/a."},
	}
}

// reportTitle is the document title, with the period.
func reportTitle(r attribution.Report) string {
	return "Origen channel report " + periodText(r.Period)
}

// displayWidth estimates how many character cells s takes in a
// proportional spreadsheet font: East Asian wide letters count double.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && r <= 0x115F, // Hangul Jamo
			r >= 0x2E80 && r <= 0xA4CF, // CJK radicals … Yi
			r >= 0xAC00 && r <= 0xD7A3, // Hangul syllables
			r >= 0xF900 && r <= 0xFAFF, // CJK compatibility ideographs
			r >= 0xFE30 && r <= 0xFE4F, // CJK compatibility forms
			r >= 0xFF00 && r <= 0xFF60, // full-width forms
			r >= 0xFFE0 && r <= 0xFFE6,
			r >= 0x1F300 && r <= 0x1FAFF, // emoji
			r >= 0x20000 && r <= 0x3FFFD: // CJK extensions
			n += 2
		default:
			n++
		}
	}
	return n
}
