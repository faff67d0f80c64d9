package demo_test

import (
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
)

// The seeded history: two years per SKU ending yesterday, the same for
// the same day, location splits adding up to the total, and each pattern
// looking like itself.
func TestHistory(t *testing.T) {
	zone, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, zone)
	hs := demo.History(now, zone)
	if len(hs) != demo.HistorySKUs {
		t.Fatalf("%d series, want %d", len(hs), demo.HistorySKUs)
	}
	again := demo.History(now, zone)
	patterns := map[string]int{}
	for i, h := range hs {
		patterns[h.Pattern]++
		days := h.Total.Days
		if len(days) != demo.HistoryDays || days[len(days)-1].Date != "2026-11-24" || days[0].Date != "2024-11-25" {
			t.Fatalf("%s: %d days from %s to %s", h.SKU, len(days), days[0].Date, days[len(days)-1].Date)
		}
		if len(h.ByPlace) == 0 {
			t.Fatalf("%s: no locations", h.SKU)
		}
		zeros, sum := 0, int64(0)
		for d, day := range days {
			if day != again[i].Total.Days[d] {
				t.Fatalf("%s %s: %+v then %+v: not reproducible", h.SKU, day.Date, day, again[i].Total.Days[d])
			}
			var split int64
			for _, p := range h.ByPlace {
				split += p.Days[d].Units
			}
			if split != day.Units {
				t.Fatalf("%s %s: locations add to %d, total %d", h.SKU, day.Date, split, day.Units)
			}
			if day.Units == 0 {
				zeros++
			}
			sum += day.Units
		}
		zeroShare := float64(zeros) / float64(len(days))
		switch h.Pattern {
		case demo.Intermittent:
			if zeroShare < 0.6 {
				t.Errorf("%s intermittent: only %.0f%% zero days", h.SKU, 100*zeroShare)
			}
		case demo.Promoted:
			// 9–11 November 2025 against the fortnight before.
			var sale, before float64
			for _, day := range days {
				switch {
				case day.Date >= "2025-11-09" && day.Date <= "2025-11-11":
					sale += float64(day.Units) / 3
				case day.Date >= "2025-10-26" && day.Date < "2025-11-09":
					before += float64(day.Units) / 14
				}
			}
			if sale < 2*before {
				t.Errorf("%s promoted: %.1f a day in the sale, %.1f before", h.SKU, sale, before)
			}
		default:
			if zeroShare > 0.3 || sum < 500 {
				t.Errorf("%s smooth: %.0f%% zero days, %d units", h.SKU, 100*zeroShare, sum)
			}
		}
	}
	if patterns[demo.Smooth] == 0 || patterns[demo.Promoted] == 0 || patterns[demo.Intermittent] == 0 {
		t.Errorf("patterns %v, want all three", patterns)
	}
}
