package forecast

import (
	"fmt"
	"math"
	"slices"
)

// Backtest settings used by Select: Origins rolling origins, each
// forecasting min(h, len(y)/5) steps from a history ending that many steps
// earlier than the previous one.
const Origins = 3

// Selection is the outcome of Select.
type Selection struct {
	// Name is the chosen method's registered name.
	Name string
	// Result is the chosen method's forecast from the whole series.
	Result *Result
	// MASE is each candidate's mean MASE over the backtest origins (+Inf
	// for a candidate that failed on an origin).
	MASE map[string]float64
}

var intermittentMethods = []string{"croston", "sba", "tsb", "adida", "imapa"}

// builtin lists the methods this package registers itself. "arima" is
// among them, so DefaultCandidates leaves it out: Select fits every
// candidate Origins+1 times, and with AutoARIMA among them Auto took
// 0.83 s instead of 0.15 s per two-year daily SKU (cmd/forecastbench,
// 20 series) and picked as well as without it (mean MASE 0.748 both);
// name it in the candidates to compare it.
var builtin = []string{"ets", "theta", "naive", "snaive", "croston", "sba", "tsb", "adida", "imapa", "arima"}

// IsIntermittent reports whether y is intermittent demand: more than 30% of
// its values are zero.
func IsIntermittent(y []float64) bool {
	zeros := 0
	for _, v := range y {
		if v == 0 {
			zeros++
		}
	}
	return float64(zeros) > 0.3*float64(len(y))
}

// DefaultCandidates is what Auto compares: Naive, SeasonalNaive (when m > 1),
// the intermittent methods for intermittent series or ETS and Theta
// otherwise, and every method registered by another package. The
// package's own "arima" is not among them (see builtin).
func DefaultCandidates(y []float64, m int) []string {
	c := []string{"naive"}
	if m > 1 {
		c = append(c, "snaive")
	}
	if IsIntermittent(y) {
		c = append(c, intermittentMethods...)
	} else {
		c = append(c, "ets", "theta")
	}
	for _, n := range Names() {
		if !slices.Contains(builtin, n) {
			c = append(c, n)
		}
	}
	return c
}

// Auto forecasts y with the candidate chosen by Select from
// DefaultCandidates; the result's Note names the backtest outcome.
func Auto(y []float64, m, h int, levels []float64) (*Result, error) {
	s, err := SelectLevels(y, m, h, DefaultCandidates(y, m), levels)
	if err != nil {
		return nil, err
	}
	return s.Result, nil
}

// Select is SelectLevels with DefaultLevels.
func Select(y []float64, m, h int, candidates []string) (*Selection, error) {
	return SelectLevels(y, m, h, candidates, DefaultLevels)
}

// SelectLevels chooses among the named candidates by rolling-origin backtest: each
// is fitted on the series cut at Origins origins and scored by MASE on the
// following steps; the lowest mean wins (ties to the earlier candidate) and
// is refitted on the whole series. When the series is too short for a
// backtest the first candidate that fits is used and the Note says so.
// Returns the CheckInput errors, ErrUnknownModel, or the last fit error when
// no candidate fits.
func SelectLevels(y []float64, m, h int, candidates []string, levels []float64) (*Selection, error) {
	if levels == nil {
		levels = DefaultLevels
	}
	if err := CheckInput(y, m, h, levels); err != nil {
		return nil, err
	}
	methods := make([]Method, len(candidates))
	for i, name := range candidates {
		fn, ok := Lookup(name)
		if !ok {
			return nil, fmt.Errorf("%w %q", ErrUnknownModel, name)
		}
		methods[i] = fn
	}
	n := len(y)
	hb := min(h, max(1, n/5))
	sel := &Selection{MASE: make(map[string]float64, len(candidates))}
	origins := 0
	for k := 1; k <= Origins; k++ {
		if cut := n - k*hb; cut >= max(2*m+2, 8) {
			origins = k
		}
	}
	best, bestScore := -1, math.Inf(1)
	if origins > 0 {
		for i, fn := range methods {
			score := 0.0
			for k := 1; k <= origins; k++ {
				cut := n - k*hb
				r, err := fn(y[:cut], m, hb, nil)
				if err != nil {
					score = math.Inf(1)
					break
				}
				score += mase(y[:cut], y[cut:cut+hb], r.Mean, m)
			}
			score /= float64(origins)
			sel.MASE[candidates[i]] = score
			if score < bestScore {
				best, bestScore = i, score
			}
		}
	}
	note := ""
	if best < 0 {
		note = fmt.Sprintf("series too short for a backtest (%d observations); used the first candidate that fits", n)
		best = 0
	}
	var lastErr error
	for i := best; i < len(methods); i++ {
		r, err := methods[i](y, m, h, levels)
		if err != nil {
			lastErr = err
			continue
		}
		sel.Name, sel.Result = candidates[i], r
		if i != best {
			note = fmt.Sprintf("%s failed on the full series (%v); used %s", candidates[best], lastErr, candidates[i])
		}
		if note != "" {
			r.Note = joinNote(r.Note, note)
		}
		return sel, nil
	}
	return nil, fmt.Errorf("no candidate fits: %w", lastErr)
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// mase is the mean absolute scaled error of forecast f against actual,
// scaled by the in-sample MAE of the seasonal naive method on train (lag m,
// or 1 when m is 1 or the seasonal MAE is zero).
func mase(train, actual, f []float64, m int) float64 {
	return mae(actual, f) / naiveScale(train, m)
}

func naiveScale(train []float64, m int) float64 {
	scale := func(lag int) float64 {
		if len(train) <= lag {
			return 0
		}
		s := 0.0
		for t := lag; t < len(train); t++ {
			s += math.Abs(train[t] - train[t-lag])
		}
		return s / float64(len(train)-lag)
	}
	s := scale(m)
	if s == 0 && m > 1 {
		s = scale(1)
	}
	if s == 0 {
		s = 1e-8
	}
	return s
}

func mae(actual, f []float64) float64 {
	s := 0.0
	for i := range actual {
		s += math.Abs(actual[i] - f[i])
	}
	return s / float64(len(actual))
}
