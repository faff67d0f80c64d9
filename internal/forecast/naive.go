package forecast

import "math"

// Naive forecasts the last observation. Intervals are statsforecast's: the
// one-step residual standard deviation sigma (sum of squares over n-1) times
// sqrt(step).
func Naive(y []float64, m, h int, levels []float64) (*Result, error) {
	n := len(y)
	if n < 2 {
		return nil, tooShort("Naive", n, 2)
	}
	ss := 0.0
	for t := 1; t < n; t++ {
		d := y[t] - y[t-1]
		ss += d * d
	}
	sigma := math.Sqrt(ss / float64(n-1))
	r := &Result{Model: "Naive", AICc: math.NaN(), Mean: repeat(y[n-1], h)}
	sd := make([]float64, h)
	for i := range sd {
		sd[i] = sigma * math.Sqrt(float64(i+1))
	}
	normalIntervals(r, levels, sd)
	return r, nil
}

// SeasonalNaive forecasts the observation one season earlier. Intervals are
// statsforecast's: the seasonal residual standard deviation (sum of squares
// over n-m) times sqrt(number of whole seasons ahead + 1).
func SeasonalNaive(y []float64, m, h int, levels []float64) (*Result, error) {
	n := len(y)
	if n <= m {
		return nil, tooShort("SeasonalNaive", n, m+1)
	}
	ss := 0.0
	for t := m; t < n; t++ {
		d := y[t] - y[t-m]
		ss += d * d
	}
	sigma := math.Sqrt(ss / float64(n-m))
	r := &Result{Model: "SeasonalNaive", AICc: math.NaN(), Mean: make([]float64, h)}
	sd := make([]float64, h)
	for i := range r.Mean {
		r.Mean[i] = y[n-m+i%m]
		sd[i] = sigma * math.Sqrt(float64(i/m+1))
	}
	normalIntervals(r, levels, sd)
	return r, nil
}
