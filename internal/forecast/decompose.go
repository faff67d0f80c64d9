package forecast

import "math"

// acf returns the sample autocorrelations of y at lags 1..nlags (the
// biased estimator: every lag's sum over the full-series variance).
func acf(y []float64, nlags int) []float64 {
	mu := mean(y)
	den := 0.0
	for _, v := range y {
		den += (v - mu) * (v - mu)
	}
	r := make([]float64, nlags)
	for k := 1; k <= nlags; k++ {
		s := 0.0
		for t := 0; t+k < len(y); t++ {
			s += (y[t] - mu) * (y[t+k] - mu)
		}
		r[k-1] = s / den
	}
	return r
}

// seasonalityTest is the 90% one-sided autocorrelation test Theta uses (as
// forecast::thetaf and statsforecast do): the lag-m autocorrelation against
// its standard error under the earlier lags. It needs m >= 4 and at least
// two seasons.
func seasonalityTest(y []float64, m int) bool {
	if m < 4 || len(y) < 2*m {
		return false
	}
	r := acf(y, m)
	s := 0.0
	for _, v := range r[:m-1] {
		s += v * v
	}
	stat := math.Sqrt((1 + 2*s) / float64(len(y)))
	return math.Abs(r[m-1])/stat > z(90) // one-sided 95%: the two-sided 90% quantile
}

// seasonalIndices returns the classical decomposition's seasonal figure (one
// value per position t%m): the average of y over (multiplicative) or minus
// (additive) its centred moving average, normalised to mean 1 or 0.
func seasonalIndices(y []float64, m int, multiplicative bool) []float64 {
	n := len(y)
	trend := make([]float64, n)
	for i := range trend {
		trend[i] = math.NaN()
	}
	half := m / 2
	for t := half; t+half < n; t++ {
		s := 0.0
		if m%2 == 1 {
			for j := t - half; j <= t+half; j++ {
				s += y[j]
			}
		} else {
			if t+half >= n {
				break
			}
			s = 0.5*y[t-half] + 0.5*y[t+half]
			for j := t - half + 1; j < t+half; j++ {
				s += y[j]
			}
		}
		trend[t] = s / float64(m)
	}
	fig := make([]float64, m)
	for p := range m {
		s, c := 0.0, 0
		for t := p; t < n; t += m {
			if math.IsNaN(trend[t]) {
				continue
			}
			if multiplicative {
				s += y[t] / trend[t]
			} else {
				s += y[t] - trend[t]
			}
			c++
		}
		fig[p] = s / float64(c)
	}
	mu := mean(fig)
	for p := range fig {
		if multiplicative {
			fig[p] /= mu
		} else {
			fig[p] -= mu
		}
	}
	return fig
}
