package forecast

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultLevels are the prediction interval levels, in percent, used when a
// caller passes none.
var DefaultLevels = []float64{80, 95}

// Result is one model's forecast of a series.
type Result struct {
	// Model names the fitted model, e.g. "ETS(M,A,M)", "Theta", "CrostonSBA".
	Model string
	// AICc is the corrected Akaike information criterion of a
	// likelihood-based fit, or NaN where the model has none.
	AICc float64
	// Mean holds the point forecasts for steps 1..h.
	Mean []float64
	// Lower and Upper hold the interval bounds per level in percent
	// (80, 95), each of length h.
	Lower, Upper map[float64][]float64
	// Note says when the model fell back to a simpler one and why; empty
	// otherwise.
	Note string
}

// HasAICc reports whether r carries an information criterion.
func (r *Result) HasAICc() bool { return !math.IsNaN(r.AICc) }

// Method fits a model to the history y, whose season length is m (1 for none),
// and forecasts h steps with intervals at levels (percent). A Method may
// assume that y, m, h and levels passed CheckInput already; it
// returns ErrTooShort when y is too short for the model.
type Method func(y []float64, m, h int, levels []float64) (*Result, error)

var registry = struct {
	sync.RWMutex
	m map[string]Method
}{m: map[string]Method{}}

// Register makes a Method available under name to Forecast, Select and the
// CLI. Registering a name twice replaces the earlier Method.
func Register(name string, fn Method) {
	registry.Lock()
	defer registry.Unlock()
	registry.m[name] = fn
}

// Lookup returns the Method registered under name.
func Lookup(name string) (Method, bool) {
	registry.RLock()
	defer registry.RUnlock()
	fn, ok := registry.m[name]
	return fn, ok
}

// Names lists the registered methods, sorted.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.m))
	for n := range registry.m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func init() {
	Register("ets", ETS)
	Register("theta", Theta)
	Register("naive", Naive)
	Register("snaive", SeasonalNaive)
	Register("croston", Croston)
	Register("sba", SBA)
	Register("tsb", TSB)
	Register("adida", ADIDA)
	Register("imapa", IMAPA)
	Register("arima", AutoARIMA)
}

// ErrUnknownModel is returned for a model name nobody registered.
var ErrUnknownModel = errors.New("unknown model")

// Forecast validates the input and runs the method registered under name.
// levels nil means DefaultLevels, empty means no intervals. Returns
// ErrUnknownModel, the validation errors of CheckInput, or the method's
// own error.
func Forecast(name string, y []float64, m, h int, levels []float64) (*Result, error) {
	fn, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("%w %q (have %v)", ErrUnknownModel, name, Names())
	}
	if levels == nil {
		levels = DefaultLevels
	}
	if err := CheckInput(y, m, h, levels); err != nil {
		return nil, err
	}
	res, err := fn(y, m, h, levels)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return res, nil
}

// z returns the two-sided standard normal quantile for level percent.
func z(level float64) float64 {
	return distuv.UnitNormal.Quantile(0.5 + level/200)
}

// normalIntervals sets mean ± z(level)·sd[i] for every level.
func normalIntervals(r *Result, levels []float64, sd []float64) {
	r.Lower = make(map[float64][]float64, len(levels))
	r.Upper = make(map[float64][]float64, len(levels))
	for _, l := range levels {
		q := z(l)
		lo, hi := make([]float64, len(r.Mean)), make([]float64, len(r.Mean))
		for i, mu := range r.Mean {
			lo[i], hi[i] = mu-q*sd[i], mu+q*sd[i]
		}
		r.Lower[l], r.Upper[l] = lo, hi
	}
}

func repeat(v float64, h int) []float64 {
	out := make([]float64, h)
	for i := range out {
		out[i] = v
	}
	return out
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// quantile is the linear-interpolation sample quantile (numpy's default)
// of sorted x.
func quantile(sorted []float64, p float64) float64 {
	if len(sorted) == 1 {
		return sorted[0]
	}
	pos := p * float64(len(sorted)-1)
	i := int(math.Floor(pos))
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i] + f*(sorted[i+1]-sorted[i])
}

// empiricalIntervals sets intervals from the empirical quantiles of the
// one-step in-sample errors (NaNs skipped), the same width at every step,
// with the lower bound clipped at zero since demand is never negative.
func empiricalIntervals(r *Result, levels []float64, errs []float64) {
	if len(levels) == 0 {
		return
	}
	e := make([]float64, 0, len(errs))
	for _, v := range errs {
		if !math.IsNaN(v) {
			e = append(e, v)
		}
	}
	if len(e) == 0 {
		e = append(e, 0)
	}
	slices.Sort(e)
	r.Lower = make(map[float64][]float64, len(levels))
	r.Upper = make(map[float64][]float64, len(levels))
	for _, l := range levels {
		qlo, qhi := quantile(e, 0.5-l/200), quantile(e, 0.5+l/200)
		lo, hi := make([]float64, len(r.Mean)), make([]float64, len(r.Mean))
		for i, mu := range r.Mean {
			lo[i], hi[i] = math.Max(0, mu+qlo), math.Max(0, mu+qhi)
		}
		r.Lower[l], r.Upper[l] = lo, hi
	}
}
