package attribution

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// The channels of Google Analytics 4's default channel group for manual
// (UTM-tagged) traffic, in the order its rules are tried
// (docs/CHANNELS.md).
const (
	ChannelDirect          = "Direct"
	ChannelCrossNetwork    = "Cross-network"
	ChannelPaidShopping    = "Paid Shopping"
	ChannelPaidSearch      = "Paid Search"
	ChannelPaidSocial      = "Paid Social"
	ChannelPaidVideo       = "Paid Video"
	ChannelDisplay         = "Display"
	ChannelPaidOther       = "Paid Other"
	ChannelOrganicShopping = "Organic Shopping"
	ChannelOrganicSocial   = "Organic Social"
	ChannelOrganicVideo    = "Organic Video"
	ChannelOrganicSearch   = "Organic Search"
	ChannelReferral        = "Referral"
	ChannelEmail           = "Email"
	ChannelAffiliates      = "Affiliates"
	ChannelAudio           = "Audio"
	ChannelSMS             = "SMS"
	ChannelMobilePush      = "Mobile Push Notifications"
	ChannelUnassigned      = "Unassigned"
)

// GroupSeparator separates source, medium and campaign in a grouped label
// (GroupedLabel): the unit separator, a control character that no tagged
// URL carries.
const GroupSeparator = "\x1f"

// GroupedLabel is the raw channel label of a row whose channel is derived
// from its source, medium and campaign (the queries build the same text in
// SQL); ChannelLabels turns it into a channel name.
func GroupedLabel(source, medium, campaign string) string {
	return source + GroupSeparator + medium + GroupSeparator + campaign
}

// splitGrouped is the inverse of GroupedLabel; ok is false for a label
// that is not grouped.
func splitGrouped(raw string) (source, medium, campaign string, ok bool) {
	source, rest, ok := strings.Cut(raw, GroupSeparator)
	if !ok {
		return "", "", "", false
	}
	medium, campaign, _ = strings.Cut(rest, GroupSeparator)
	return source, medium, campaign, true
}

// ReadableLabel shows a grouped label as "source / medium / campaign", for
// messages; any other label is returned as it is.
func ReadableLabel(raw string) string {
	return strings.ReplaceAll(raw, GroupSeparator, " / ")
}

// A source category of Google's list (data/ga4_source_categories.csv).
type sourceCategory int

const (
	categoryNone sourceCategory = iota
	categorySearch
	categorySocial
	categoryShopping
	categoryVideo
)

//go:embed data/ga4_source_categories.csv
var sourceCategoriesCSV string

// sourceCategories is Google's source-category list keyed by the lower-case
// source; GA4 compares sources with the list without regard to case.
var sourceCategories = sync.OnceValue(func() map[string]sourceCategory {
	recs, err := csv.NewReader(strings.NewReader(sourceCategoriesCSV)).ReadAll()
	if err != nil {
		panic(fmt.Sprintf("embedded ga4_source_categories.csv: %v", err)) // a build defect, tested
	}
	byName := map[string]sourceCategory{
		"SOURCE_CATEGORY_SEARCH": categorySearch, "SOURCE_CATEGORY_SOCIAL": categorySocial,
		"SOURCE_CATEGORY_SHOPPING": categoryShopping, "SOURCE_CATEGORY_VIDEO": categoryVideo,
	}
	out := make(map[string]sourceCategory, len(recs))
	for _, r := range recs[1:] {
		c, ok := byName[r[1]]
		if !ok {
			panic(fmt.Sprintf("embedded ga4_source_categories.csv: unknown category %q", r[1]))
		}
		out[strings.ToLower(r[0])] = c
	}
	return out
})

// The regular expressions of GA4's rules, as Google publishes them
// (docs/CHANNELS.md); they are matched against lower-case values, which
// makes them case-insensitive as GA4's are.
var (
	ga4PaidMedium    = regexp.MustCompile(`^(.*cp.*|ppc|retargeting|paid.*)$`)
	ga4ShopCampaign  = regexp.MustCompile(`^(.*(([^a-df-z]|^)shop|shopping).*)$`)
	ga4VideoMedium   = regexp.MustCompile(`^(.*video.*)$`)
	ga4Email         = regexp.MustCompile(`email|e-mail|e_mail|e mail`)
	ga4PushMedium    = regexp.MustCompile(`push$`)
	ga4MobileMedium  = regexp.MustCompile(`mobile|notification`)
	ga4DisplayMedium = map[string]bool{"display": true, "banner": true, "expandable": true, "interstitial": true, "cpm": true}
	ga4SocialMedium  = map[string]bool{"social": true, "social-network": true, "social-media": true, "sm": true, "social network": true, "social media": true}
	ga4ReferralMed   = map[string]bool{"referral": true, "app": true, "link": true}
)

// GA4Channel is the channel of Google Analytics 4's default channel group
// for manual traffic with this source, medium and campaign: the first rule
// that matches, in Google's order, else Unassigned (docs/CHANNELS.md has
// every rule). Values are trimmed and compared without regard to case. A
// row with neither source nor medium is Direct, as GA4 records a visit
// without campaign data as (direct) / (none); an empty medium reads as
// "(not set)".
func GA4Channel(source, medium, campaign string) string {
	src := strings.ToLower(strings.TrimFunc(source, unicode.IsSpace))
	med := strings.ToLower(strings.TrimFunc(medium, unicode.IsSpace))
	camp := strings.ToLower(strings.TrimFunc(campaign, unicode.IsSpace))
	if src == "" && med == "" {
		return ChannelDirect
	}
	if med == "" {
		med = "(not set)"
	}
	cat := sourceCategories()[src]
	paid := ga4PaidMedium.MatchString(med)
	shop := cat == categoryShopping || ga4ShopCampaign.MatchString(camp)
	switch {
	case src == "(direct)" && (med == "(not set)" || med == "(none)"):
		return ChannelDirect
	case strings.Contains(camp, "cross-network"):
		return ChannelCrossNetwork
	case shop && paid:
		return ChannelPaidShopping
	case cat == categorySearch && paid:
		return ChannelPaidSearch
	case cat == categorySocial && paid:
		return ChannelPaidSocial
	case cat == categoryVideo && paid:
		return ChannelPaidVideo
	case ga4DisplayMedium[med]:
		return ChannelDisplay
	case paid:
		return ChannelPaidOther
	case shop:
		return ChannelOrganicShopping
	case cat == categorySocial || ga4SocialMedium[med]:
		return ChannelOrganicSocial
	case cat == categoryVideo || ga4VideoMedium.MatchString(med):
		return ChannelOrganicVideo
	case cat == categorySearch || med == "organic":
		return ChannelOrganicSearch
	case ga4ReferralMed[med]:
		return ChannelReferral
	case ga4Email.MatchString(src) || ga4Email.MatchString(med):
		return ChannelEmail
	case med == "affiliate":
		return ChannelAffiliates
	case med == "audio":
		return ChannelAudio
	case src == "sms" || med == "sms":
		return ChannelSMS
	case ga4PushMedium.MatchString(med) || ga4MobileMedium.MatchString(med) || src == "firebase":
		return ChannelMobilePush
	}
	return ChannelUnassigned
}

// ga4PaidGroups are the GA4 channels of paid traffic: a channel of one of
// these names with registrations and no spend is a finding.
var ga4PaidGroups = map[string]bool{
	labelFold(ChannelCrossNetwork): true, labelFold(ChannelPaidShopping): true, labelFold(ChannelPaidSearch): true,
	labelFold(ChannelPaidSocial): true, labelFold(ChannelPaidVideo): true, labelFold(ChannelDisplay): true,
	labelFold(ChannelPaidOther): true, labelFold(ChannelAffiliates): true,
}

// paidName matches channel names that say they are paid.
var paidName = regexp.MustCompile(`(?i)(^|[^a-z])(paid|cpc|ppc|display|affiliate)`)

// PaidLooking reports whether a channel's name says it is paid traffic:
// one of GA4's paid groups (Paid Shopping, Paid Search, Paid Social, Paid
// Video, Paid Other, Display, Cross-network, Affiliates), or a name with
// a word starting "paid", "cpc", "ppc", "display" or "affiliate"
// (docs/CHANNELS.md, "Findings").
func PaidLooking(channel string) bool {
	return ga4PaidGroups[labelFold(channel)] || paidName.MatchString(channel)
}
