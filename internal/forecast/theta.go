package forecast

import (
	"math"
	"slices"
)

// Theta is the standard theta method (Assimakopoulos and Nikolopoulos 2000)
// in the state space form of statsforecast's Theta (model "STM", theta = 2):
// simple exponential smoothing plus half the slope of the linear trend,
// with the initial level and alpha in [0.1, 0.99] fitted by Nelder-Mead on
// the in-sample one-step squared errors. When the season length is at least
// 4, the series spans two seasons and the lag-m autocorrelation is
// significant at 90%, the series is first seasonally adjusted by classical
// multiplicative decomposition (additive when the data are not positive or a
// seasonal index falls under 0.01), as in forecast::thetaf and statsforecast.
//
// Intervals are analytical, those of forecast::thetaf: the SES (ETS(A,N,N))
// variance sigma²(1 + alpha²(h-1)) with sigma the standard deviation of the
// one-step errors after the first three, reseasonalised like the mean.
// statsforecast simulates its intervals from 200 paths instead; the widths
// agree to within 16% on the reference series, which is that sampling noise.
func Theta(y []float64, m, h int, levels []float64) (*Result, error) {
	n := len(y)
	if n < 4 {
		return nil, tooShort("Theta", n, 4)
	}
	x := y
	var fig []float64
	multiplicative := true
	if seasonalityTest(y, m) {
		positive := true
		for _, v := range y {
			if v <= 0 {
				positive = false
			}
		}
		multiplicative = positive
		fig = seasonalIndices(y, m, multiplicative)
		if multiplicative && slices.Min(fig) < 0.01 {
			multiplicative = false
			fig = seasonalIndices(y, m, false)
		}
		x = make([]float64, n)
		for t, v := range y {
			if multiplicative {
				x[t] = v / fig[t%m]
			} else {
				x[t] = v - fig[t%m]
			}
		}
	}
	st := newThetaState(x)
	absMean := 0.0
	for _, v := range x {
		absMean += math.Abs(v)
	}
	absMean = math.Max(absMean/float64(n), 1e-10)
	e := make([]float64, n)
	obj := func(p []float64) float64 {
		if p[1] < 0.1 || p[1] > 0.99 || math.Abs(p[0]) > 1e10 {
			return math.Inf(1)
		}
		st.residuals(x, p[0], p[1], e)
		s := 0.0
		for _, v := range e[3:] {
			s += v * v
		}
		return s / absMean
	}
	p, _ := nelderMead(obj, []float64{x[0] / 2, 0.5}, []float64{0.05 * math.Max(math.Abs(x[0]/2), 1), 0.05}, 1000, 1e-10)
	level0, alpha := p[0], p[1]
	level := st.residuals(x, level0, alpha, e)
	mu := st.forecast(level, alpha, n, h)

	var ss, em float64
	for _, v := range e[3:] {
		em += v
	}
	em /= float64(n - 3)
	for _, v := range e[3:] {
		ss += (v - em) * (v - em)
	}
	sigma := math.Sqrt(ss / float64(n-4))
	sd := make([]float64, h)
	for i := range sd {
		sd[i] = sigma * math.Sqrt(1+alpha*alpha*float64(i))
	}
	for _, v := range mu {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			r, err := Naive(y, m, h, levels)
			if err != nil {
				return nil, err
			}
			r.Note = "Theta fit did not give finite forecasts; fell back to Naive"
			return r, nil
		}
	}
	r := &Result{Model: "Theta", AICc: math.NaN(), Mean: mu}
	normalIntervals(r, levels, sd)
	if fig != nil {
		for i := range h {
			s := fig[(n+i)%m]
			adj := func(v float64) float64 {
				if multiplicative {
					return v * s
				}
				return v + s
			}
			r.Mean[i] = adj(r.Mean[i])
			for _, l := range levels {
				r.Lower[l][i], r.Upper[l][i] = adj(r.Lower[l][i]), adj(r.Upper[l][i])
			}
		}
	}
	return r, nil
}

// thetaState holds the fixed linear trend (intercept an, slope bn) of the
// standard theta model.
type thetaState struct{ an, bn float64 }

func newThetaState(x []float64) thetaState {
	n := float64(len(x))
	var ym, wavg float64
	for i, v := range x {
		ym += v
		wavg += v * float64(i+1)
	}
	ym /= n
	wavg /= n
	bn := 6 * (2*wavg - (n+1)*ym) / (n*n - 1)
	return thetaState{an: ym - (n+1)*bn/2, bn: bn}
}

// mean returns the forecast made at time index i from the smoothed level.
func (s thetaState) mean(level, alpha float64, i int) float64 {
	const theta = 2.0
	d := 1 - alpha
	return level + (1-1/theta)*(s.an*math.Pow(d, float64(i))+s.bn*(1-math.Pow(d, float64(i+1)))/alpha)
}

// residuals fills e with the one-step errors from initial level level0 and
// returns the final smoothed level.
func (s thetaState) residuals(x []float64, level0, alpha float64, e []float64) float64 {
	const theta = 2.0
	e[0] = x[0] - (level0 + (1-1/theta)*(s.an+s.bn))
	level := alpha*x[0] + (1-alpha)*level0
	for i := 1; i < len(x); i++ {
		e[i] = x[i] - s.mean(level, alpha, i)
		level = alpha*x[i] + (1-alpha)*level
	}
	return level
}

// forecast iterates the model h steps from the final level at time n.
func (s thetaState) forecast(level, alpha float64, n, h int) []float64 {
	out := make([]float64, h)
	for j := range out {
		out[j] = s.mean(level, alpha, n+j)
		level = alpha*out[j] + (1-alpha)*level
	}
	return out
}
