package forecast

import "math"

// stl is the seasonal-trend decomposition by loess of Cleveland et al.
// (1990) without robustness weights, as statsmodels' STL runs it (the
// netlib Fortran's inner loop, every jump 1) with the settings
// statsforecast's mstl passes for one season: seasonal window ns (11),
// seasonal degree 0, trend window the smallest odd integer at least
// 1.5·m/(1-1.5/ns), low-pass window the smallest odd integer above m, trend
// and low-pass degree 1, five inner iterations. It returns the seasonal
// and trend components.
func stl(y []float64, m, ns int) (season, trend []float64) {
	n := len(y)
	nt := int(math.Ceil(1.5 * float64(m) / (1 - 1.5/float64(ns))))
	if nt%2 == 0 {
		nt++
	}
	nl := m + 1
	if nl%2 == 0 {
		nl++
	}
	const inner = 5
	season, trend = make([]float64, n), make([]float64, n)
	detr := make([]float64, n)
	cycle := make([]float64, n+2*m) // cycle-subseries smooth, extended a season each way
	lowp := make([]float64, n)
	sub, subFit := make([]float64, n/m+2), make([]float64, n/m+3)
	ma1, ma2 := make([]float64, n+m+1), make([]float64, n+2)
	w := make([]float64, n+2*m)
	for range inner {
		for i := range y {
			detr[i] = y[i] - trend[i]
		}
		// Cycle-subseries smoothing, one value beyond each end.
		for j := range m {
			k := (n-(j+1))/m + 1
			for i := range k {
				sub[i] = detr[i*m+j]
			}
			loessSmooth(sub[:k], ns, 0, subFit[1:k+1], w)
			v, ok := loessAt(sub[:k], ns, 0, 0, 1, min(ns, k), w)
			if !ok {
				v = subFit[1]
			}
			subFit[0] = v
			v, ok = loessAt(sub[:k], ns, 0, k+1, max(1, k-ns+1), k, w)
			if !ok {
				v = subFit[k]
			}
			subFit[k+1] = v
			for i := range k + 2 {
				cycle[i*m+j] = subFit[i]
			}
		}
		// Low-pass filter of the cycle smooth: moving averages of length m,
		// m and 3, then loess.
		movingAverage(cycle, m, ma1)
		movingAverage(ma1, m, ma2)
		movingAverage(ma2, 3, detr)
		loessSmooth(detr[:n], nl, 1, lowp, w)
		for i := range n {
			season[i] = cycle[m+i] - lowp[i]
			detr[i] = y[i] - season[i]
		}
		loessSmooth(detr, nt, 1, trend, w)
	}
	return season, trend
}

// movingAverage sets out[j] to the mean of x[j:j+k] for every full window.
func movingAverage(x []float64, k int, out []float64) {
	v := 0.0
	for _, xi := range x[:k] {
		v += xi
	}
	out[0] = v / float64(k)
	for j := 1; j+k <= len(x); j++ {
		v += x[j+k-1] - x[j-1]
		out[j] = v / float64(k)
	}
}

// loessSmooth fits a loess of window span and degree deg at every point of
// y (positions 1..n) into out, as STL's ess with jump 1; where the fit
// fails it keeps the data value.
func loessSmooth(y []float64, span, deg int, out, w []float64) {
	n := len(y)
	if n < 2 {
		out[0] = y[0]
		return
	}
	if span >= n {
		for i := range n {
			v, ok := loessAt(y, span, deg, i+1, 1, n, w)
			if !ok {
				v = y[i]
			}
			out[i] = v
		}
		return
	}
	nsh := (span + 2) / 2
	left, right := 1, span
	for i := range n {
		if i+1 > nsh && right != n {
			left++
			right++
		}
		v, ok := loessAt(y, span, deg, i+1, left, right, w)
		if !ok {
			v = y[i]
		}
		out[i] = v
	}
}

// loessAt is STL's est: the tricube-weighted local fit of degree deg (0 or
// 1) at position xs over the 1-based positions left..right of y.
func loessAt(y []float64, span, deg, xs, left, right int, w []float64) (float64, bool) {
	n := len(y)
	rng := float64(n) - 1
	h := float64(max(xs-left, right-xs))
	if span > n {
		h += float64((span - n) / 2)
	}
	h9, h1 := 0.999*h, 0.001*h
	a := 0.0
	for j := left - 1; j < right; j++ {
		w[j] = 0
		r := math.Abs(float64(j + 1 - xs))
		if r <= h9 {
			if r <= h1 {
				w[j] = 1
			} else {
				u := r / h
				u = 1 - u*u*u
				w[j] = u * u * u
			}
			a += w[j]
		}
	}
	if a <= 0 {
		return 0, false
	}
	for j := left - 1; j < right; j++ {
		w[j] /= a
	}
	if h > 0 && deg > 0 {
		a = 0
		for j := left - 1; j < right; j++ {
			a += w[j] * float64(j+1)
		}
		b := float64(xs) - a
		c := 0.0
		for j := left - 1; j < right; j++ {
			d := float64(j+1) - a
			c += w[j] * d * d
		}
		if math.Sqrt(c) > 0.001*rng {
			b /= c
			for j := left - 1; j < right; j++ {
				w[j] *= b*(float64(j+1)-a) + 1
			}
		}
	}
	v := 0.0
	for j := left - 1; j < right; j++ {
		v += w[j] * y[j]
	}
	return v, true
}
