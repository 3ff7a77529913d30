package attribution

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// TouchSnapshot is a Snapshot that may read the touchpoints' paths
// ([touchpoints]); queries.Snapshot implements it. A report without it,
// or whose HasTouchpoints is false, has no multi-touch section.
type TouchSnapshot interface {
	HasTouchpoints() bool
	// ReadTouchChannels hands yield every distinct raw channel label of the
	// touchpoints that a path of req may hold (and perhaps a few more),
	// for Origen to name them before ReadPaths.
	ReadTouchChannels(ctx context.Context, req PathsRequest, yield func(raw string) error) error
	// ReadPaths streams the distinct paths of the cohort of req.Period
	// (docs/MULTITOUCH.md, "Paths"), their touches named by req.Labels:
	// first the touch counts of the channels, then the users without
	// touch, then the touched paths (PathRow).
	ReadPaths(ctx context.Context, req PathsRequest, yield func(PathRow) error) error
}

// PathsRequest selects the paths of one report.
type PathsRequest struct {
	Period     Period
	Location   *time.Location
	AsOf       time.Time
	WindowDays int
	// ByRegistration counts the registration as the conversion, instead of
	// the first purchase inside the window.
	ByRegistration bool
	LookbackDays   int
	// Labels names the touches' raw channel labels (raw → channel), so
	// that the database aggregates the paths by channel; a label missing
	// from it keeps its raw text.
	Labels map[string]string
}

// PathRow is one row of the paths' aggregation. Rows come in this order:
//   - touch counts (TouchCount): Touches are the touches (users ×
//     occurrences) of channel Channels[0] over all touched paths;
//   - users without touch (!Touched): the registration's raw channel,
//     one row per label;
//   - touched paths: Channels (named by PathsRequest.Labels), one row per
//     distinct timing (Days, each touch's whole days to the end of the
//     path; nil for users without conversion and revenue, whom time decay
//     does not weigh), each row with its users and the path's totals over
//     all its rows (PathConversions, …), First on one row of each path.
type PathRow struct {
	TouchCount      bool
	Touches         int64
	Touched         bool
	Channels        []string
	RegChannel      string
	RegChannelValid bool
	Days            []int
	Conversions     int64
	NonConversions  int64
	Revenue         Money
	First           bool
	// The path's users over all its rows.
	PathConversions    int64
	PathNonConversions int64
	PathRevenue        Money
}

// readMultiTouch reads the paths of the report's cohort and attributes
// them as they stream (touchAcc): memory follows the channels, never the
// number of distinct paths (docs/MULTITOUCH.md, "Memory"). Channels are
// named like the registrations' (label; nil is NormalizeChannel): the raw
// labels of the touchpoints are read and named first, and the database
// aggregates the paths by name.
func readMultiTouch(ctx context.Context, snap TouchSnapshot, req PathsRequest, s TouchSettings, label ChannelLabels, rep Report) (*MultiTouch, error) {
	raws, err := readTouchLabels(ctx, snap, req)
	if err != nil {
		return nil, err
	}
	p, err := streamPaths(ctx, snap, req, s, label, raws)
	if err != nil {
		return nil, err
	}
	return p.finish(rep)
}

// readTouchLabels returns the raw channel labels of the touchpoints that a
// path of req may hold (TouchSnapshot.ReadTouchChannels), in the order
// read.
func readTouchLabels(ctx context.Context, snap TouchSnapshot, req PathsRequest) ([]string, error) {
	var raws []string
	err := snap.ReadTouchChannels(ctx, req, func(raw string) error {
		raws = append(raws, raw)
		return nil
	})
	return raws, err
}

// pathsRead is the paths of a report streamed into the models
// (streamPaths), waiting for the report's channel table (finish).
type pathsRead struct {
	s          TouchSettings
	acc        *touchAcc
	top        topPaths
	singles    map[string]*PathSummary
	singleKeys []string
}

// streamPaths names the touchpoints' raw labels raws, then reads the
// paths and feeds them to the models as they stream.
func streamPaths(ctx context.Context, snap TouchSnapshot, req PathsRequest, s TouchSettings, label ChannelLabels, raws []string) (*pathsRead, error) {
	if label == nil {
		label = NormalizeChannel
	}
	req.Labels = map[string]string{}
	named := map[string]bool{}
	for _, raw := range raws {
		n := label(raw, true)
		req.Labels[raw] = n
		named[n] = true
	}
	// touchName checks a channel of the database's paths: a name, or a raw
	// label that the database could not look up and kept (one that is not
	// valid UTF-8 does not survive the JSON parameter), named here.
	touchName := func(c string) (string, error) {
		if named[c] {
			return c, nil
		}
		if n, ok := req.Labels[c]; ok {
			return n, nil
		}
		return "", fmt.Errorf("paths: touch channel %q is neither a raw label of the touchpoints nor one of their %d names", c, len(named))
	}
	var (
		touches   = map[string]int64{}
		untouched []PathRow // one per raw registration label: bounded
		acc       *touchAcc
		top       topPaths
		// singles are the one-touch paths by channel: a touched user's
		// and a user without touch with that registration channel follow
		// the same path (at most one per channel).
		singles    = map[string]*PathSummary{}
		singleKeys []string
	)
	single := func(ch string, conv, non int64, rev Money) {
		p := singles[ch]
		if p == nil {
			p = &PathSummary{Path: ch}
			singles[ch] = p
			singleKeys = append(singleKeys, ch)
		}
		p.Conversions += conv
		p.NonConversions += non
		p.Revenue += rev
	}
	// begin starts the models once every channel's touches are known (the
	// Shapley model's players), with the users without touch.
	begin := func() error {
		acc = newTouchAcc(s, touches)
		for _, r := range untouched {
			ch := label(r.RegChannel, r.RegChannelValid)
			if err := acc.path([]string{ch}, r.Conversions, r.NonConversions, r.Revenue); err != nil {
				return err
			}
			acc.timed([]string{ch}, nil, r.Conversions, r.Revenue)
			single(ch, r.Conversions, r.NonConversions, r.Revenue)
		}
		untouched = nil
		return nil
	}
	err := snap.ReadPaths(ctx, req, func(r PathRow) error {
		switch {
		case r.TouchCount:
			if acc != nil || len(untouched) > 0 || len(r.Channels) != 1 {
				return fmt.Errorf("paths: a touch count after the paths")
			}
			n, err := touchName(r.Channels[0])
			if err != nil {
				return err
			}
			touches[n] += r.Touches
			return nil
		case !r.Touched:
			if acc != nil {
				return fmt.Errorf("paths: a user without touch after the touched paths")
			}
			touches[label(r.RegChannel, r.RegChannelValid)] += r.Conversions + r.NonConversions
			untouched = append(untouched, r)
			return nil
		}
		if acc == nil {
			if err := begin(); err != nil {
				return err
			}
		}
		for i, c := range r.Channels {
			n, err := touchName(c)
			if err != nil {
				return err
			}
			r.Channels[i] = n
		}
		if r.Days != nil && len(r.Days) != len(r.Channels) {
			return fmt.Errorf("paths: a path of %d touches has %d timings", len(r.Channels), len(r.Days))
		}
		if r.First {
			if err := acc.path(r.Channels, r.PathConversions, r.PathNonConversions, r.PathRevenue); err != nil {
				return err
			}
			if len(r.Channels) == 1 {
				single(r.Channels[0], r.PathConversions, r.PathNonConversions, r.PathRevenue)
			} else {
				top.add(PathSummary{Path: strings.Join(r.Channels, " > "), Conversions: r.PathConversions,
					NonConversions: r.PathNonConversions, Revenue: r.PathRevenue})
			}
		}
		acc.timed(r.Channels, r.Days, r.Conversions, r.Revenue)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if acc == nil {
		if err := begin(); err != nil {
			return nil, err
		}
	}
	return &pathsRead{s: s, acc: acc, top: top, singles: singles, singleKeys: singleKeys}, nil
}

// finish attributes the paths read with the channel table of rep, and
// checks that they hold the report's conversions and revenue.
func (p *pathsRead) finish(rep Report) (*MultiTouch, error) {
	s, acc, top := p.s, p.acc, &p.top
	for _, k := range p.singleKeys {
		top.add(*p.singles[k])
	}
	mt := MultiTouch{Settings: s, TopPaths: top.sorted(), Paths: top.distinct, ConvertingPaths: top.converting}
	spend := map[string]Money{}
	var order []string
	for _, m := range rep.Channels {
		order = append(order, m.Channel)
		spend[m.Channel] = m.Spend
	}
	if err := acc.finish(&mt, order, spend); err != nil {
		return nil, err
	}
	want := rep.Total.Customers
	if s.Conversion == ConversionRegistration {
		want = rep.Total.Registrations
	}
	if mt.Conversions != want || mt.Revenue != rep.Total.Revenue {
		// The paths hold every cohort user; anything else is a bug, never a
		// silently different total.
		return nil, fmt.Errorf("multi-touch paths hold %d conversions and revenue %s, the report %d and %s",
			mt.Conversions, mt.Revenue, want, rep.Total.Revenue)
	}
	return &mt, nil
}
