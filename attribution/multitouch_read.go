package attribution

import (
	"context"
	"fmt"
	"time"
)

// TouchSnapshot is a Snapshot that may read the touchpoints' paths
// ([touchpoints]); queries.Snapshot implements it. A report without it,
// or whose HasTouchpoints is false, has no multi-touch section.
type TouchSnapshot interface {
	HasTouchpoints() bool
	// ReadPaths streams the distinct paths of the cohort of req.Period,
	// most followed first (docs/MULTITOUCH.md, "Paths"), with raw channel
	// labels.
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
}

// PathRow is one row of the paths' aggregation: a path of raw labels, or
// for users without touch the registration's raw channel, with its users.
type PathRow struct {
	Touched         bool
	Channels        []string
	RegChannel      string
	RegChannelValid bool
	Days            []int
	Conversions     int64
	NonConversions  int64
	Revenue         Money
}

// readMultiTouch reads the paths of the report's cohort and attributes
// them (AttributeTouches). Channels are named like the registrations'
// (label; nil is NormalizeChannel). Beyond s.MaxPaths distinct paths, the
// others are grouped by their first and last touch, and a note says how
// many paths and users that was.
func readMultiTouch(ctx context.Context, snap TouchSnapshot, req PathsRequest, s TouchSettings, label ChannelLabels, rep Report) (*MultiTouch, error) {
	if label == nil {
		label = NormalizeChannel
	}
	var (
		paths           []TouchPath
		distinct        int
		lastKey         string
		started         bool
		keptAt          = -1 // len(paths) after the last row of lastKey kept
		grouped         = map[string]*TouchPath{}
		groupedKeys     []string
		groupedPaths    int64
		groupedUsers    int64
		groupedPathSeen = map[string]bool{}
	)
	err := snap.ReadPaths(ctx, req, func(r PathRow) error {
		p := TouchPath{Days: r.Days, Conversions: r.Conversions, NonConversions: r.NonConversions, Revenue: r.Revenue}
		if r.Touched {
			p.Channels = make([]string, len(r.Channels))
			for i, c := range r.Channels {
				p.Channels[i] = label(c, true)
			}
		} else {
			p.Channels, p.Days = []string{label(r.RegChannel, r.RegChannelValid)}, nil
		}
		// Rows come most followed path first, the rows of a path together.
		key := fmt.Sprint(r.Touched, r.RegChannelValid, "\x00", r.RegChannel, "\x00", r.Channels)
		if !started || key != lastKey {
			distinct++
			lastKey, started = key, true
			keptAt = -1
		}
		if distinct <= s.MaxPaths {
			// The rows of a path (its timings) arrive together: merged into
			// one path as they come, memory follows the distinct paths.
			if n := len(paths); n > 0 && key == lastKey && len(paths) == keptAt {
				mergeTimed(&paths[n-1], p, s)
			} else {
				paths = append(paths, TouchPath{Channels: p.Channels})
				mergeTimed(&paths[len(paths)-1], p, s)
			}
			keptAt = len(paths)
			return nil
		}
		if !groupedPathSeen[key] {
			groupedPathSeen[key] = true
			groupedPaths++
		}
		groupedUsers += p.Conversions + p.NonConversions
		n := len(p.Channels)
		if n > 2 {
			p.Channels = []string{p.Channels[0], p.Channels[n-1]}
			if p.Days != nil {
				p.Days = []int{p.Days[0], p.Days[n-1]}
			}
		}
		g := p.Key()
		q := grouped[g]
		if q == nil {
			q = &TouchPath{Channels: p.Channels}
			grouped[g] = q
			groupedKeys = append(groupedKeys, g)
		}
		mergeTimed(q, p, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	in := TouchInputs{Settings: s, Spend: map[string]Money{}}
	for _, g := range groupedKeys {
		paths = append(paths, *grouped[g])
	}
	in.Paths = paths
	if groupedPaths > 0 {
		in.Notes = append(in.Notes, fmt.Sprintf("%d distinct paths exceed [attribution] max_paths = %d: the %d least followed (%d users) were grouped by their first and last touch, which first and last touch credit exactly and the other models approximately",
			int64(distinct), s.MaxPaths, groupedPaths, groupedUsers))
	}
	for _, m := range rep.Channels {
		in.Order = append(in.Order, m.Channel)
		in.Spend[m.Channel] = m.Spend
	}
	mt, err := AttributeTouches(in)
	if err != nil {
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

// reportMultiTouch is the multi-touch section of rep (BuildReport): nil
// when snap has no touchpoints.
func reportMultiTouch(ctx context.Context, snap TouchSnapshot, req ReportRequest, rep Report) (*MultiTouch, error) {
	if snap == nil || !snap.HasTouchpoints() {
		return nil, nil
	}
	t0 := time.Now()
	s := req.Touch.WithDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	mt, err := readMultiTouch(ctx, snap, PathsRequest{Period: req.Period, Location: req.Location, AsOf: req.AsOf, WindowDays: req.WindowDays,
		ByRegistration: s.Conversion == ConversionRegistration, LookbackDays: s.LookbackDays}, s, rep.Labels, rep)
	if err != nil {
		return nil, fmt.Errorf("multi-touch attribution: %w", err)
	}
	if req.Log != nil {
		req.Log.Info("multi-touch attributed", "paths", mt.Paths, "converting_paths", mt.ConvertingPaths, "duration", time.Since(t0).Round(time.Millisecond))
	}
	return mt, nil
}
