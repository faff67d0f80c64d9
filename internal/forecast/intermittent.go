package forecast

import "math"

// The intermittent-demand methods follow statsforecast's definitions
// (CrostonClassic, CrostonSBA, TSB, ADIDA, IMAPA) exactly, so their point
// forecasts match it to rounding. statsforecast gives these models no
// intervals of their own; ours are empirical: the quantiles of the in-sample
// one-step errors (y[t] minus the fitted value from y[:t], with the final
// smoothing parameters), added to the flat point forecast, the same at every
// step, lower bounds clipped at zero.

// sesForecast runs simple exponential smoothing started at x[0] and returns
// the one-step forecast after the last value and the fitted values (NaN
// first).
func sesForecast(x []float64, alpha float64) (float64, []float64) {
	fitted := make([]float64, len(x))
	if len(x) == 1 {
		fitted[0] = math.NaN()
		return x[0], fitted
	}
	fitted[0] = x[0]
	for i := 1; i < len(x); i++ {
		fitted[i] = alpha*x[i-1] + (1-alpha)*fitted[i-1]
	}
	f := alpha*x[len(x)-1] + (1-alpha)*fitted[len(x)-1]
	fitted[0] = math.NaN()
	return f, fitted
}

func sesSSE(alpha float64, x []float64) float64 {
	if len(x) < 2 {
		return 0
	}
	f, sse := x[0], 0.0
	for i := 1; i < len(x); i++ {
		f = alpha*x[i-1] + (1-alpha)*f
		e := x[i] - f
		sse += e * e
	}
	return sse
}

// goldenSES minimises the SES sum of squared errors over alpha in [lo, hi]
// by golden-section search to an interval of 1e-12, as statsforecast does.
func goldenSES(x []float64, lo, hi float64) float64 {
	gr := (math.Sqrt(5) + 1) / 2
	a, b := lo, hi
	c, d := b-(b-a)/gr, a+(b-a)/gr
	fc, fd := sesSSE(c, x), sesSSE(d, x)
	for math.Abs(b-a) >= 1e-12 {
		switch {
		case fc < fd:
			b, d, fd = d, c, fc
			c = b - (b-a)/gr
			fc = sesSSE(c, x)
		case fd < fc:
			a, c, fc = c, d, fd
			d = a + (b-a)/gr
			fd = sesSSE(d, x)
		default:
			return (a + b) / 2
		}
	}
	return (a + b) / 2
}

// demandSizes returns the positive values of y.
func demandSizes(y []float64) []float64 {
	var d []float64
	for _, v := range y {
		if v > 0 {
			d = append(d, v)
		}
	}
	return d
}

// demandIntervals returns the gaps between non-zero values, the first
// counted from just before the start.
func demandIntervals(y []float64) []float64 {
	var out []float64
	prev := 0
	for i, v := range y {
		if v != 0 {
			out = append(out, float64(i+1-prev))
			prev = i + 1
		}
	}
	return out
}

// expandFitted spreads fitted values of the demand (or interval) sequence
// back over the periods of y: each period carries the value fitted after the
// most recent demand before it. Before the first demand it carries before.
func expandFitted(fitted, y []float64, before func(i int) float64, zeroAsOne bool) []float64 {
	out := make([]float64, len(y))
	out[0] = math.NaN()
	k := 0
	for i := 1; i < len(y); i++ {
		switch {
		case y[i-1] != 0:
			k++
			out[i] = fitted[k]
			if zeroAsOne && out[i] == 0 {
				out[i] = 1
			}
		case k > 0:
			out[i] = out[i-1]
		default:
			out[i] = before(i)
		}
	}
	return out
}

func allZero(y []float64) bool {
	for _, v := range y {
		if v != 0 {
			return false
		}
	}
	return true
}

func residuals(y, fitted []float64) []float64 {
	e := make([]float64, len(y))
	for i := range y {
		e[i] = y[i] - fitted[i]
	}
	return e
}

// croston returns the classic Croston forecast (SES with alpha 0.1 of the
// demand sizes over SES of the intervals) and its fitted values.
func croston(y []float64) (float64, []float64) {
	yd := demandSizes(y)
	if len(yd) == 0 {
		f := make([]float64, len(y))
		f[0] = math.NaN()
		copy(f[1:], y[:len(y)-1])
		return y[len(y)-1], f
	}
	dp, df := sesForecast(yd, 0.1)
	yi := demandIntervals(y)
	ip, ifit := sesForecast(yi, 0.1)
	mean := dp
	if ip != 0 {
		mean = dp / ip
	}
	fd := expandFitted(append(df, dp), y, func(i int) float64 { return y[i-1] }, false)
	fi := expandFitted(append(ifit, ip), y, func(int) float64 { return 1 }, true)
	fitted := make([]float64, len(y))
	for i := range y {
		fitted[i] = fd[i] / fi[i]
	}
	return mean, fitted
}

func flatEmpirical(name string, y []float64, h int, levels []float64, mean float64, fitted []float64) *Result {
	r := &Result{Model: name, AICc: math.NaN(), Mean: repeat(mean, h)}
	empiricalIntervals(r, levels, residuals(y, fitted))
	return r
}

// Croston is Croston's classic method (statsforecast CrostonClassic).
func Croston(y []float64, m, h int, levels []float64) (*Result, error) {
	mean, fitted := croston(y)
	return flatEmpirical("CrostonClassic", y, h, levels, mean, fitted), nil
}

// SBA is the Syntetos-Boylan approximation: Croston times 0.95
// (statsforecast CrostonSBA).
func SBA(y []float64, m, h int, levels []float64) (*Result, error) {
	mean, fitted := croston(y)
	for i := range fitted {
		fitted[i] *= 0.95
	}
	return flatEmpirical("CrostonSBA", y, h, levels, 0.95*mean, fitted), nil
}

// TSBAlphaD and TSBAlphaP are the smoothing parameters TSB uses for the
// demand size and the demand probability (statsforecast requires both; 0.1
// is the usual textbook value).
const (
	TSBAlphaD = 0.1
	TSBAlphaP = 0.1
)

// TSB is the Teunter-Syntetos-Babai method: SES of the demand probability
// times SES of the demand size (statsforecast TSB with alpha_d = TSBAlphaD,
// alpha_p = TSBAlphaP).
func TSB(y []float64, m, h int, levels []float64) (*Result, error) {
	if allZero(y) {
		return flatEmpirical("TSB", y, h, levels, 0, make([]float64, len(y))), nil
	}
	yp := make([]float64, len(y))
	for i, v := range y {
		if v != 0 {
			yp[i] = 1
		}
	}
	pf, pfit := sesForecast(yp, TSBAlphaP)
	df, dfit := sesForecast(demandSizes(y), TSBAlphaD)
	fd := expandFitted(append(dfit, df), y, func(i int) float64 { return y[i-1] }, false)
	fitted := make([]float64, len(y))
	for i := range y {
		fitted[i] = pfit[i] * fd[i]
	}
	return flatEmpirical("TSB", y, h, levels, pf*df, fitted), nil
}

// chunkSums sums y in consecutive blocks of k, dropping the len(y)%k oldest
// values.
func chunkSums(y []float64, k int) []float64 {
	lost := len(y) % k
	out := make([]float64, (len(y)-lost)/k)
	for i := range out {
		s := 0.0
		for _, v := range y[lost+i*k : lost+(i+1)*k] {
			s += v
		}
		out[i] = s
	}
	return out
}

// aggregateSES forecasts the next block sum of y at aggregation level k with
// SES whose alpha is optimised on [0.1, 0.3]; fitted holds, per period of y,
// the fitted block sum divided by k (NaN where none).
func aggregateSES(y []float64, k int) (float64, []float64) {
	sums := chunkSums(y, k)
	fitted := make([]float64, len(y))
	for i := range fitted {
		fitted[i] = math.NaN()
	}
	if len(sums) == 0 {
		return y[len(y)-1], fitted
	}
	if len(sums) == 1 {
		return sums[0], fitted
	}
	alpha := goldenSES(sums, 0.1, 0.3)
	f, sf := sesForecast(sums, alpha)
	lost := len(y) % k
	for b := range sums {
		for j := 0; j < k; j++ {
			fitted[lost+b*k+j] = sf[b] / float64(k)
		}
	}
	return f, fitted
}

func meanInterval(y []float64) int {
	return int(math.RoundToEven(mean(demandIntervals(y))))
}

// ADIDA aggregates the series into blocks of the mean inter-demand interval,
// forecasts the block sums with optimised SES and spreads the forecast evenly
// (statsforecast ADIDA).
func ADIDA(y []float64, m, h int, levels []float64) (*Result, error) {
	if allZero(y) {
		return flatEmpirical("ADIDA", y, h, levels, 0, make([]float64, len(y))), nil
	}
	k := meanInterval(y)
	f, fitted := aggregateSES(y, k)
	return flatEmpirical("ADIDA", y, h, levels, f/float64(k), fitted), nil
}

// IMAPA averages the ADIDA-style forecasts over every aggregation level from
// 1 to the mean inter-demand interval (statsforecast IMAPA).
func IMAPA(y []float64, m, h int, levels []float64) (*Result, error) {
	if allZero(y) {
		return flatEmpirical("IMAPA", y, h, levels, 0, make([]float64, len(y))), nil
	}
	kmax := meanInterval(y)
	sum := 0.0
	fitted := make([]float64, len(y))
	for k := 1; k <= kmax; k++ {
		sums := chunkSums(y, k)
		var f float64
		var sf []float64
		if len(sums) > 0 {
			f, sf = sesForecast(sums, goldenSES(sums, 0.1, 0.3))
		}
		sum += f / float64(k)
		lost := len(y) % k
		for i := range fitted {
			if i < lost || len(sf) == 0 {
				fitted[i] = math.NaN()
				continue
			}
			fitted[i] += sf[(i-lost)/k] / float64(k) / float64(kmax)
		}
	}
	return flatEmpirical("IMAPA", y, h, levels, sum/float64(kmax), fitted), nil
}
