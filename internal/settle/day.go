package settle

import (
	"fmt"
	"time"
)

// Date is a civil date (no time, no zone): a business day.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses "2006-01-02". Returns ErrInvalid for anything else.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: date %q: %w", ErrInvalid, s, err)
	}
	return DateOf(t), nil
}

// String formats d as "2006-01-02".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Compare(time.Date(o.Year, o.Month, o.Day, 0, 0, 0, 0, time.UTC))
}

// Cutoff is the local wall-clock time at which a merchant's business day
// ends and the next begins. The zero value is midnight.
type Cutoff struct{ hour, minute int }

// NewCutoff returns the cutoff hour:minute. Returns ErrInvalid outside
// 00:00..23:59.
func NewCutoff(hour, minute int) (Cutoff, error) {
	if hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return Cutoff{}, fmt.Errorf("%w: cutoff %02d:%02d outside 00:00..23:59", ErrInvalid, hour, minute)
	}
	return Cutoff{hour, minute}, nil
}

// String formats c as "15:04".
func (c Cutoff) String() string { return fmt.Sprintf("%02d:%02d", c.hour, c.minute) }

// BusinessDay returns the business day that contains t for a merchant in
// loc whose day ends at cutoff: business day D runs from the first instant
// at which loc's wall clock on date D reads cutoff or later (DayBounds) to
// the same instant of D+1. An instant exactly at the cutoff opens the new
// day. With a cutoff of 04:00, a sale at 02:00 on the 11th belongs to the
// 10th. DST-safe: when the cutoff falls in a spring-forward gap the day
// starts at the transition; when it falls in a repeated hour, at its first
// occurrence (so the second occurrence stays in the new day).
func BusinessDay(t time.Time, loc *time.Location, cutoff Cutoff) Date {
	d := DateOf(t.In(loc))
	if t.Before(dayStart(d, loc, cutoff)) {
		return d.AddDays(-1)
	}
	return d
}

// DayBounds returns the half-open interval [start, end) of business day d.
// end − start is 24 hours except on days with a clock change.
func DayBounds(d Date, loc *time.Location, cutoff Cutoff) (start, end time.Time) {
	return dayStart(d, loc, cutoff), dayStart(d.AddDays(1), loc, cutoff)
}

// dayStart is the earliest instant at which loc's wall clock on date d
// reads cutoff or later.
func dayStart(d Date, loc *time.Location, c Cutoff) time.Time {
	wall := time.Date(d.Year, d.Month, d.Day, c.hour, c.minute, 0, 0, time.UTC)
	// Candidate offsets: those loc uses within a day and a half either side.
	var offsets []int
	for h := -36; h <= 36; h += 6 {
		_, off := wall.Add(time.Duration(h) * time.Hour).In(loc).Zone()
		seen := false
		for _, o := range offsets {
			seen = seen || o == off
		}
		if !seen {
			offsets = append(offsets, off)
		}
	}
	var best time.Time
	for _, off := range offsets {
		s := wall.Add(-time.Duration(off) * time.Second)
		if wallClock(s, loc).Equal(wall) && (best.IsZero() || s.Before(best)) {
			best = s
		}
	}
	if !best.IsZero() {
		return best.In(loc)
	}
	// The wall time does not exist (skipped by a clock change): the day
	// starts at the transition, the first instant whose wall clock is past it.
	lo, hi := wall.Add(-26*time.Hour), wall.Add(26*time.Hour)
	for _, off := range offsets {
		s := wall.Add(-time.Duration(off) * time.Second)
		if s.After(lo) && !wallClock(s, loc).After(wall) {
			lo = s
		}
	}
	for _, off := range offsets {
		s := wall.Add(-time.Duration(off) * time.Second)
		if s.Before(hi) && wallClock(s, loc).After(wall) {
			hi = s
		}
	}
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
		if mid.Equal(lo) {
			mid = lo.Add(time.Second)
		}
		if wallClock(mid, loc).After(wall) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi.In(loc)
}

// wallClock is t's wall-clock reading in loc, expressed as a UTC time.
func wallClock(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}
