package forecast

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors for bad input; callers branch on them with errors.Is. The
// wrapped message names the offending value.
var (
	// ErrTooShort: the series has too few observations for the model.
	ErrTooShort = errors.New("series too short")
	// ErrNonFinite: the series contains NaN or ±Inf.
	ErrNonFinite = errors.New("series contains NaN or Inf")
	// ErrNegative: the series contains a negative value (demand is never
	// negative).
	ErrNegative = errors.New("series contains a negative value")
	// ErrHorizon: the horizon is below 1 or above MaxHorizon(m).
	ErrHorizon = errors.New("horizon out of range")
	// ErrSeasonPeriod: the season length is below 1 or more than half the
	// series.
	ErrSeasonPeriod = errors.New("seasonal period out of range")
	// ErrLevel: an interval level is not strictly between 0 and 100.
	ErrLevel = errors.New("interval level out of range")
)

// MaxHorizon is the longest horizon allowed for season length m: two years of
// observations at the frequency m implies. m=12 is monthly (24 steps), m=4
// quarterly (8), m=52 weekly (104), m=24 hourly with a daily season (17520);
// any other m, including 1 and the weekly season of daily data (7), is taken
// as daily (730 steps), the finest granularity demand is kept at.
func MaxHorizon(m int) int {
	switch m {
	case 12:
		return 24
	case 4:
		return 8
	case 52:
		return 104
	case 24:
		return 2 * 365 * 24
	default:
		return 730
	}
}

// CheckInput validates a forecasting request. Returns ErrTooShort (fewer than
// two observations), ErrNonFinite, ErrNegative, ErrSeasonPeriod, ErrHorizon or
// ErrLevel, wrapped with the offending value.
func CheckInput(y []float64, m, h int, levels []float64) error {
	if len(y) < 2 {
		return fmt.Errorf("%w: %d observations, need at least 2", ErrTooShort, len(y))
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: value %d is %v", ErrNonFinite, i+1, v)
		}
		if v < 0 {
			return fmt.Errorf("%w: value %d is %v", ErrNegative, i+1, v)
		}
	}
	if m < 1 || m > len(y)/2 {
		return fmt.Errorf("%w: season length %d with %d observations (must be 1..%d)", ErrSeasonPeriod, m, len(y), len(y)/2)
	}
	if max := MaxHorizon(m); h < 1 || h > max {
		return fmt.Errorf("%w: horizon %d (must be 1..%d, two years at season length %d)", ErrHorizon, h, max, m)
	}
	for _, l := range levels {
		if !(l > 0 && l < 100) {
			return fmt.Errorf("%w: %v (must be between 0 and 100)", ErrLevel, l)
		}
	}
	return nil
}

func tooShort(model string, n, need int) error {
	return fmt.Errorf("%w for %s: %d observations, need at least %d", ErrTooShort, model, n, need)
}
