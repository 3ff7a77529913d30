package attribution

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// Scores by hand. Channel A (W = 3): 100 at risk on day 0, 10 convert
// (h0 = 0.1); 90 on day 1, 5 convert (h1 = 1/18); 85 on day 2, none
// (h2 = 0). Campaign Big has its own, faster curve with enough data;
// campaign Small has too few registrations and scores with A's curve.
func TestScoreByHand(t *testing.T) {
	rows := []CurveRow{
		{Channel: "A", ChannelValid: true, Campaign: "Small", CampaignValid: true, Day: 0, Converted: 10},
		{Channel: "A", ChannelValid: true, Campaign: "Small", CampaignValid: true, Day: 1, Converted: 5},
		{Channel: "A", ChannelValid: true, Campaign: "Small", CampaignValid: true, Day: 3, Censored: 85},
		// Big: 300 at risk on day 0, 60 convert (h0 = 0.2); 240 followed through.
		{Channel: "A2", ChannelValid: true, Campaign: "Big", CampaignValid: true, Day: 0, Converted: 60},
		{Channel: "A2", ChannelValid: true, Campaign: "Big", CampaignValid: true, Day: 3, Censored: 240},
		// A2's other campaign pulls the channel curve down: 700 more with no conversion.
		{Channel: "A2", ChannelValid: true, Campaign: "Other", CampaignValid: true, Day: 3, Censored: 700},
	}
	set, err := BuildCurves(rows, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		channel, campaign string
		age, horizon      int
		want              float64
		basis             string
	}{
		{"A", "Small", 0, 1, 0.1, ScoreChannel},
		{"A", "Small", 0, 2, 1 - 0.9*(85.0/90), ScoreChannel}, // 0.15
		{"A", "Small", 1, 7, 5.0 / 90, ScoreChannel},          // clipped at W
		{"A", "Small", 2, 7, 0, ScoreChannel},
		{"A2", "Big", 0, 7, 0.2, ScoreCampaign},
		{"A2", "Other", 0, 7, 60.0 / 1000, ScoreChannel}, // A2 pooled: 60 of 1000
		{"A2", NoCampaign, 0, 7, 60.0 / 1000, ScoreChannel},
		{"Unknown", "", 0, 1, 70.0 / 1100, ScoreAllChannels}, // all: 70 of 1100 on day 0
	} {
		t.Run(fmt.Sprintf("%s_%s_%d_%d", tc.channel, tc.campaign, tc.age, tc.horizon), func(t *testing.T) {
			s := NewScorer(set, tc.horizon)
			p, basis := s.Score(tc.channel, tc.campaign, tc.age)
			if math.Abs(p-tc.want) > 1e-12 || basis != tc.basis {
				t.Errorf("Score = %.6f (%s), want %.6f (%s)", p, basis, tc.want, tc.basis)
			}
		})
	}
}

// The ranking keeps the best prospects, ties broken by registration time
// and user id, whether it keeps a top N in a heap or everything.
func TestRanking(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	ps := []Prospect{
		{UserID: "u1", Probability: 0.1, RegisteredAt: t0},
		{UserID: "u2", Probability: 0.3, RegisteredAt: t0.Add(time.Hour)},
		{UserID: "u3", Probability: 0.3, RegisteredAt: t0},
		{UserID: "u4", Probability: 0.05, RegisteredAt: t0},
		{UserID: "u0", Probability: 0.3, RegisteredAt: t0},
		{UserID: "u5", Probability: 0.2, RegisteredAt: t0},
	}
	ids := func(list []Prospect) string {
		var s []string
		for _, p := range list {
			s = append(s, p.UserID)
		}
		return strings.Join(s, ",")
	}
	for _, tc := range []struct {
		limit int
		want  string
	}{
		{0, "u0,u3,u2,u5,u1,u4"},
		{3, "u0,u3,u2"},
		{4, "u0,u3,u2,u5"},
		{10, "u0,u3,u2,u5,u1,u4"},
	} {
		t.Run(fmt.Sprint(tc.limit), func(t *testing.T) {
			r := NewRanking(tc.limit)
			for _, p := range ps {
				r.Add(p)
			}
			if got := ids(r.Result()); got != tc.want || r.Seen() != 6 {
				t.Errorf("ranking = %s (seen %d), want %s", got, r.Seen(), tc.want)
			}
		})
	}
}

// Backtest figures by hand.
func TestEvaluateBacktestByHand(t *testing.T) {
	t.Run("groups on decile edges", func(t *testing.T) {
		// 10 users scored 0.5 of whom 6 bought; 90 scored 0.1 of whom 4.
		// Base rate 10/100; top decile = the first group: 0.6, lift 6.
		// Top 5: half of the first group, precision 0.6. Calibration: decile
		// 1 gap |0.5 − 0.6| = 0.1, deciles 2–10 gap |0.1 − 4/90| = 0.055556;
		// error = (10·0.1 + 90·0.055556) / 100 = 0.06.
		b := EvaluateBacktest([]ScoredGroup{{0.1, 90, 4}, {0.5, 10, 6}, {0.9, 0, 0}}, 5)
		want := "users=100 conv=10 base=0.1000 top5=0.6000 top10%=0.6000 lift=6.0000 calib=0.0600 max=0.1000 deciles=10"
		if got := backtestLine(b); got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
		if d := b.Deciles[3]; math.Abs(d.ObservedRate-4.0/90) > 1e-12 || d.MeanScore != 0.1 || d.Users != 10 {
			t.Errorf("decile 4 = %+v", d)
		}
	})
	t.Run("a group straddles deciles", func(t *testing.T) {
		// 15 users scored 0.5 with 6 buyers, 85 scored 0.1 with 4. Decile 1
		// = 10 of the first group: 4 expected buyers. Decile 2 = 5 of the
		// first (2 buyers) and 5 of the second (4·5/85): rate 0.223529,
		// mean score 0.3.
		b := EvaluateBacktest([]ScoredGroup{{0.5, 15, 6}, {0.1, 85, 4}}, 20)
		if d := b.Deciles[0]; math.Abs(d.ObservedRate-0.4) > 1e-12 {
			t.Errorf("decile 1 = %+v", d)
		}
		if d := b.Deciles[1]; math.Abs(d.ObservedRate-0.223529) > 1e-6 || math.Abs(d.MeanScore-0.3) > 1e-12 {
			t.Errorf("decile 2 = %+v", d)
		}
		// Top 20: 15 of the first group (6) and 5 of the second (0.235294).
		if math.Abs(b.PrecisionAtN.Value-(6+4.0*5/85)/20) > 1e-12 || b.TopN != 20 {
			t.Errorf("precision at 20 = %+v", b.PrecisionAtN)
		}
	})
	t.Run("equal scores in several groups are one tie", func(t *testing.T) {
		// Two channels score 0.5: 10 users of whom none bought, and 10 of
		// whom all did. The 20 are one tie (10 buyers) whatever the order
		// of the groups: deciles 1 and 2 each get half of it, 0.5 observed
		// against 0.5 predicted. Base 10/100, lift 5, top 5 = 2.5 buyers.
		// Calibration: deciles 3–10 gap |0.1 − 0| over 80 users = 0.08.
		want := "users=100 conv=10 base=0.1000 top5=0.5000 top10%=0.5000 lift=5.0000 calib=0.0800 max=0.1000 deciles=10"
		for _, groups := range [][]ScoredGroup{
			{{0.5, 10, 0}, {0.5, 10, 10}, {0.1, 80, 0}},
			{{0.1, 80, 0}, {0.5, 10, 10}, {0.5, 10, 0}},
		} {
			b := EvaluateBacktest(groups, 5)
			if got := backtestLine(b); got != want {
				t.Errorf("%v:\ngot  %s\nwant %s", groups, got, want)
			}
			for _, d := range b.Deciles[:2] {
				if d.ObservedRate != 0.5 || d.MeanScore != 0.5 || d.Users != 10 {
					t.Errorf("%v: decile %+v, want 10 users, 0.5 observed", groups, d)
				}
			}
		}
	})
	t.Run("a tie of several groups straddles a decile edge", func(t *testing.T) {
		// 5 users score 0.9 (5 buyers); 15 score 0.4 in two groups, 6 with
		// no buyer and 9 with 6: one tie of 15 with 6 buyers, rate 0.4;
		// 80 score 0 with none. Decile 1 = the 5 best and 5 of the tie:
		// (5 + 5·0.4) / 10 = 0.7 observed, (5·0.9 + 5·0.4) / 10 = 0.65
		// predicted. Decile 2 = the other 10 of the tie: 0.4 and 0.4.
		// Top 8 = 5 + 3·0.4 = 6.2 buyers: 0.775. Base 11/100, lift
		// 0.7 / 0.11 = 6.3636. Calibration error 10·0.05 / 100 = 0.005.
		// (Cutting the groups one by one gave decile 1 = 0.5, decile 2 =
		// 0.6, precision 0.625, lift 4.5455.)
		b := EvaluateBacktest([]ScoredGroup{{0.4, 6, 0}, {0.9, 5, 5}, {0, 80, 0}, {0.4, 9, 6}}, 8)
		want := "users=100 conv=11 base=0.1100 top8=0.7750 top10%=0.7000 lift=6.3636 calib=0.0050 max=0.0500 deciles=10"
		if got := backtestLine(b); got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
		if d := b.Deciles[0]; math.Abs(d.ObservedRate-0.7) > 1e-12 || math.Abs(d.MeanScore-0.65) > 1e-12 {
			t.Errorf("decile 1 = %+v", d)
		}
		if d := b.Deciles[1]; math.Abs(d.ObservedRate-0.4) > 1e-12 || math.Abs(d.MeanScore-0.4) > 1e-12 {
			t.Errorf("decile 2 = %+v", d)
		}
	})
	t.Run("nobody", func(t *testing.T) {
		b := EvaluateBacktest(nil, 10)
		if b.BaseRate.Valid || b.TopDecileLift.Valid || b.CalibrationError.Valid || len(b.Deciles) != 0 {
			t.Errorf("empty backtest = %+v", b)
		}
	})
}

func backtestLine(b Backtest) string {
	r := func(x Ratio) string {
		if !x.Valid {
			return "n/a"
		}
		return fmt.Sprintf("%.4f", x.Value)
	}
	return fmt.Sprintf("users=%d conv=%d base=%s top%d=%s top10%%=%s lift=%s calib=%s max=%s deciles=%d",
		b.Users, b.Converted, r(b.BaseRate), b.TopN, r(b.PrecisionAtN), r(b.TopDecileRate), r(b.TopDecileLift),
		r(b.CalibrationError), r(b.MaxCalibrationGap), len(b.Deciles))
}
