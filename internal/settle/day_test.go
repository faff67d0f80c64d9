package settle_test

import (
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
)

func load(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func cut(t *testing.T, h, m int) settle.Cutoff {
	t.Helper()
	c, err := settle.NewCutoff(h, m)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBusinessDay(t *testing.T) {
	ny, london, shanghai := load(t, "America/New_York"), load(t, "Europe/London"), load(t, "Asia/Shanghai")
	for _, tc := range []struct {
		name   string
		at     string // RFC 3339 instant
		loc    *time.Location
		cutoff [2]int
		want   string
	}{
		{"shanghai midnight cutoff, before", "2026-03-10T23:59:59+08:00", shanghai, [2]int{0, 0}, "2026-03-10"},
		{"shanghai exactly at midnight", "2026-03-11T00:00:00+08:00", shanghai, [2]int{0, 0}, "2026-03-11"},
		{"shanghai 04:00 cutoff, late night", "2026-03-11T03:59:59+08:00", shanghai, [2]int{4, 0}, "2026-03-10"},
		{"shanghai exactly at 04:00", "2026-03-11T04:00:00+08:00", shanghai, [2]int{4, 0}, "2026-03-11"},
		{"shanghai from UTC", "2026-03-10T20:30:00Z", shanghai, [2]int{4, 0}, "2026-03-11"},
		// New York springs forward 2026-03-08 02:00 EST → 03:00 EDT.
		{"ny spring, 01:59 EST", "2026-03-08T01:59:00-05:00", ny, [2]int{2, 30}, "2026-03-07"},
		{"ny spring, transition opens day", "2026-03-08T03:00:00-04:00", ny, [2]int{2, 30}, "2026-03-08"},
		{"ny spring 04:00 cutoff, 03:30 EDT", "2026-03-08T03:30:00-04:00", ny, [2]int{4, 0}, "2026-03-07"},
		{"ny spring 04:00 exactly", "2026-03-08T04:00:00-04:00", ny, [2]int{4, 0}, "2026-03-08"},
		// New York falls back 2026-11-01 02:00 EDT → 01:00 EST: 01:30 happens twice.
		{"ny fall, first 01:30", "2026-11-01T01:30:00-04:00", ny, [2]int{1, 30}, "2026-11-01"},
		{"ny fall, second 01:10 stays in new day", "2026-11-01T01:10:00-05:00", ny, [2]int{1, 30}, "2026-11-01"},
		{"ny fall, 01:29 EDT before cutoff", "2026-11-01T01:29:00-04:00", ny, [2]int{1, 30}, "2026-10-31"},
		{"ny fall midnight cutoff", "2026-11-01T23:59:00-05:00", ny, [2]int{0, 0}, "2026-11-01"},
		// London springs forward 2026-03-29 01:00 GMT → 02:00 BST.
		{"london spring 01:30 cutoff gap", "2026-03-29T00:59:59Z", london, [2]int{1, 30}, "2026-03-28"},
		{"london spring transition", "2026-03-29T02:00:00+01:00", london, [2]int{1, 30}, "2026-03-29"},
		{"london 04:00 cutoff at the cutoff", "2026-03-29T04:00:00+01:00", london, [2]int{4, 0}, "2026-03-29"},
		// London falls back 2026-10-25 02:00 BST → 01:00 GMT.
		{"london fall 04:00 cutoff", "2026-10-25T03:59:00Z", london, [2]int{4, 0}, "2026-10-24"},
		{"london fall 04:00 exactly", "2026-10-25T04:00:00Z", london, [2]int{4, 0}, "2026-10-25"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at, err := time.Parse(time.RFC3339, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			if got := settle.BusinessDay(at, tc.loc, cut(t, tc.cutoff[0], tc.cutoff[1])).String(); got != tc.want {
				t.Errorf("BusinessDay(%s) = %s, want %s", tc.at, got, tc.want)
			}
		})
	}
}

func TestDayBounds(t *testing.T) {
	ny, london, shanghai := load(t, "America/New_York"), load(t, "Europe/London"), load(t, "Asia/Shanghai")
	for _, tc := range []struct {
		loc        *time.Location
		day        string
		cutoff     [2]int
		start, end string
		hours      float64
	}{
		{shanghai, "2026-03-10", [2]int{4, 0}, "2026-03-10T04:00:00+08:00", "2026-03-11T04:00:00+08:00", 24},
		{ny, "2026-03-08", [2]int{0, 0}, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 23},
		{ny, "2026-03-07", [2]int{2, 30}, "2026-03-07T02:30:00-05:00", "2026-03-08T03:00:00-04:00", 23.5},
		{ny, "2026-10-31", [2]int{4, 0}, "2026-10-31T04:00:00-04:00", "2026-11-01T04:00:00-05:00", 25},
		{london, "2026-03-29", [2]int{0, 0}, "2026-03-29T00:00:00Z", "2026-03-30T00:00:00+01:00", 23},
		{london, "2026-10-25", [2]int{4, 0}, "2026-10-25T04:00:00Z", "2026-10-26T04:00:00Z", 24},
		{london, "2026-10-24", [2]int{4, 0}, "2026-10-24T04:00:00+01:00", "2026-10-25T04:00:00Z", 25},
	} {
		t.Run(tc.loc.String()+" "+tc.day, func(t *testing.T) {
			d, err := settle.ParseDate(tc.day)
			if err != nil {
				t.Fatal(err)
			}
			c := cut(t, tc.cutoff[0], tc.cutoff[1])
			start, end := settle.DayBounds(d, tc.loc, c)
			ws, _ := time.Parse(time.RFC3339, tc.start)
			we, _ := time.Parse(time.RFC3339, tc.end)
			if !start.Equal(ws) || !end.Equal(we) {
				t.Errorf("bounds = [%s, %s), want [%s, %s)", start, end, ws, we)
			}
			if got := end.Sub(start).Hours(); got != tc.hours {
				t.Errorf("day length %vh, want %vh", got, tc.hours)
			}
			// Consistency: the bounds' instants belong to the day they bound.
			if got := settle.BusinessDay(start, tc.loc, c); got != d {
				t.Errorf("BusinessDay(start) = %s, want %s", got, d)
			}
			if got := settle.BusinessDay(end.Add(-time.Nanosecond), tc.loc, c); got != d {
				t.Errorf("BusinessDay(end-1ns) = %s, want %s", got, d)
			}
			if got := settle.BusinessDay(end, tc.loc, c); got != d.AddDays(1) {
				t.Errorf("BusinessDay(end) = %s, want %s", got, d.AddDays(1))
			}
		})
	}
}

// Property: walking a year in 119-minute steps, the business day never goes
// backwards and each instant lies inside its day's bounds.
func TestBusinessDayMonotone(t *testing.T) {
	for _, name := range []string{"America/New_York", "Europe/London", "Asia/Shanghai"} {
		loc := load(t, name)
		for _, c := range []settle.Cutoff{cut(t, 0, 0), cut(t, 4, 0), cut(t, 1, 30), cut(t, 2, 30)} {
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			prev := settle.BusinessDay(at, loc, c)
			for at.Year() == 2026 {
				d := settle.BusinessDay(at, loc, c)
				if d.Compare(prev) < 0 || d.Compare(prev.AddDays(1)) > 0 {
					t.Fatalf("%s cutoff %s at %s: day %s after %s", name, c, at, d, prev)
				}
				start, end := settle.DayBounds(d, loc, c)
				if at.Before(start) || !at.Before(end) {
					t.Fatalf("%s cutoff %s: %s outside its day %s [%s, %s)", name, c, at, d, start, end)
				}
				prev = d
				at = at.Add(119 * time.Minute)
			}
		}
	}
}

func TestNewCutoffRefusesOutOfRange(t *testing.T) {
	for _, hm := range [][2]int{{24, 0}, {-1, 0}, {3, 60}} {
		if _, err := settle.NewCutoff(hm[0], hm[1]); err == nil {
			t.Errorf("NewCutoff(%d, %d) accepted", hm[0], hm[1])
		}
	}
}
