package forecast

import (
	"fmt"
	"math"
)

// AutoARIMA is automatic seasonal ARIMA as R's forecast::auto.arima and
// statsforecast's AutoARIMA do it with their defaults (Hyndman and
// Khandakar 2008):
//
//   - D, the seasonal differences (0 or 1; only for m > 1 and more than 2m
//     values), is 1 when the seasonal strength of an STL decomposition,
//     max(0, 1 - Var(remainder)/Var(remainder+season)), exceeds 0.64
//     (nsdiffs' "seas" test);
//   - d, the first differences (0 to 2), by repeated KPSS tests at the 5%
//     level on the seasonally differenced series (ndiffs' default; as
//     statsforecast, each difference also drops the next value);
//   - the orders by the stepwise search on AICc: ARIMA(2,d,2)(1,D,1),
//     (0,d,0)(0,D,0), (1,d,0)(1,D,0), (0,d,1)(0,D,1) and, with a constant,
//     (0,d,0)(0,D,0) without one; then, from the best so far, neighbours
//     with P, Q, p or q one up or down (alone, or two at a time) and with the
//     constant toggled, until none improves or 94 models have been fitted.
//     p, q ≤ 5 (and < m for seasonal data), P, Q ≤ 2, each at most a third
//     of the series (in seasons for P, Q). A constant — a mean when d+D = 0,
//     a drift when d+D = 1 — is allowed only for d+D ≤ 1.
//
// Each model is fitted by fitArima: exact Gaussian likelihood by a Kalman
// filter, CSS starting values then maximum likelihood, AR blocks kept
// stationary by the partial-autocorrelation reparameterisation, models
// with a root of the AR or MA polynomial within 1.01 of the unit circle
// rejected. Intervals are normal, from the state space forecast variance.
// Result.Model is statsforecast's model string, e.g.
// "ARIMA(1,1,0)(0,1,0)[12]", "ARIMA(1,1,1) with drift" or
// "ARIMA(2,0,1) with non-zero mean".
//
// One known difference from statsforecast 2.1.1: its optimiser reuses a
// state space model whose diffuse prior the filter overwrites, so for models
// with differencing it mostly keeps the CSS estimates (see
// testdata/gen_reference_arima.py). This package maximises the exact
// likelihood, as R does, so its fits of such models have equal or higher
// likelihood and may pick other orders.
//
// Written by hand over gonum (no maintained Go library fits seasonal ARIMA
// by exact likelihood); registered as "arima". It is not among Select's
// default candidates (see builtin in select.go).
//
// A constant series gets its value as the forecast; a series that is
// constant after differencing gets the deterministic continuation. When
// the chosen model's optimiser hit its iteration limit, the best model
// that converged is used; when no model can be fitted,
// ARIMA(0,d,0)(0,D,0), and failing that Naive. Result.Note says so.
func AutoARIMA(y []float64, m, h int, levels []float64) (*Result, error) {
	n := len(y)
	if n < 3 {
		return nil, tooShort("ARIMA", n, 3)
	}
	if isConstant(y) {
		r := &Result{Model: "ARIMA(0,0,0) with non-zero mean", AICc: math.NaN(), Mean: repeat(y[0], h),
			Note: "constant series"}
		normalIntervals(r, levels, make([]float64, h))
		return r, nil
	}
	s := newArimaSearch(y, m)
	if s.constantDiff {
		return s.deterministic(h, levels), nil
	}
	best, note := s.run()
	if best == nil {
		base := arimaSpec{d: s.d, D: s.D, m: s.m, constant: s.d+s.D <= 1}
		f, err := fitArima(y, base)
		if err != nil || math.IsInf(f.aicc, 0) || math.IsNaN(f.aicc) {
			r, err := Naive(y, m, h, levels)
			if err != nil {
				return nil, err
			}
			r.Note = "no ARIMA model could be fitted; fell back to Naive"
			return r, nil
		}
		best, note = f, fmt.Sprintf("no ARIMA model passed the search's checks; fell back to %s", base)
	}
	r := best.result(h, levels)
	r.Note = note
	return r, nil
}

// arimaSearch holds the state of one AutoARIMA run.
type arimaSearch struct {
	y                   []float64
	m, d, D             int
	maxp, maxq, maxP    int
	maxQ                int
	constantDiff        bool
	allowDrift, allowMu bool
	fits                []*arimaFit
	tried               []arimaSpec
}

// Stepwise search limits (auto.arima's defaults).
const (
	arimaMaxP, arimaMaxQ           = 5, 5
	arimaMaxSP, arimaMaxSQ         = 2, 2
	arimaMaxD                      = 2
	arimaNModels                   = 94
	arimaSeasStrengthThreshold     = 0.64
	arimaKPSSCritical5             = 0.463
	arimaSTLSeasonalWindow         = 11
	arimaStartP, arimaStartQ       = 2, 2
	arimaStartSP, arimaStartSQ     = 1, 1
	arimaMaxOrder              int = 5 // p+q+P+Q; only the exhaustive search uses it
)

func newArimaSearch(y []float64, m int) *arimaSearch {
	n := len(y)
	s := &arimaSearch{y: y, m: m}
	s.maxp, s.maxq = min(arimaMaxP, n/3), min(arimaMaxQ, n/3)
	s.maxP = min(arimaMaxSP, int(math.Floor(float64(n)/3/float64(m))))
	s.maxQ = min(arimaMaxSQ, int(math.Floor(float64(n)/3/float64(m))))
	dx := y
	if m == 1 {
		s.maxP, s.maxQ = 0, 0
	} else if n > 2*m {
		s.D = nsdiffs(y, m)
		if s.D > 0 && len(y) <= m {
			s.D = 0
		}
	}
	if s.D > 0 {
		dx = difference(y, 0, s.D, m)
	}
	s.d = ndiffs(dx, arimaMaxD)
	if s.d > 0 && len(dx) <= s.d {
		s.d--
	}
	dx = difference(dx, s.d, 0, 1)
	if len(dx) == 0 || isConstant(dx) {
		s.constantDiff = true
	}
	if m > 1 {
		if s.maxp > 0 {
			s.maxp = min(s.maxp, m-1)
		}
		if s.maxq > 0 {
			s.maxq = min(s.maxq, m-1)
		}
	}
	s.allowDrift = s.d+s.D == 1
	s.allowMu = s.d+s.D == 0
	return s
}

// fit fits spec (once) and returns its information criterion, +Inf when it
// failed or was rejected.
func (s *arimaSearch) fit(spec arimaSpec) float64 {
	s.tried = append(s.tried, spec)
	f, err := fitArima(s.y, spec)
	if err != nil || f == nil {
		s.fits = append(s.fits, nil)
		return math.Inf(1)
	}
	s.fits = append(s.fits, f)
	return f.ic
}

func (s *arimaSearch) isNew(spec arimaSpec) bool {
	for _, t := range s.tried {
		if t == spec {
			return false
		}
	}
	return true
}

// run is the stepwise search. It returns the best fit (nil when every fit
// failed) and a note when the best did not converge and another was used.
func (s *arimaSearch) run() (*arimaFit, string) {
	m, d, D := s.m, s.d, s.D
	constant := s.allowDrift || s.allowMu
	startp, startq, startP, startQ := arimaStartP, arimaStartQ, arimaStartSP, arimaStartSQ
	if len(s.y) < 10 {
		startp, startq, startP, startQ = min(startp, 1), min(startq, 1), 0, 0
	}
	p, q := min(startp, s.maxp), min(startq, s.maxq)
	P, Q := min(startP, s.maxP), min(startQ, s.maxQ)
	spec := func(p, q, P, Q int, c bool) arimaSpec {
		return arimaSpec{p: p, d: d, q: q, P: P, D: D, Q: Q, m: m, constant: c}
	}
	bestIC := s.fit(spec(p, q, P, Q, constant))
	if ic := s.fit(spec(0, 0, 0, 0, constant)); ic < bestIC {
		bestIC, p, q, P, Q = ic, 0, 0, 0, 0
	}
	if s.maxp > 0 || s.maxP > 0 {
		p1, P1 := b2i(s.maxp > 0), b2i(m > 1 && s.maxP > 0)
		if ic := s.fit(spec(p1, 0, P1, 0, constant)); ic < bestIC {
			bestIC, p, P, q, Q = ic, p1, P1, 0, 0
		}
	}
	if s.maxq > 0 || s.maxQ > 0 {
		q1, Q1 := b2i(s.maxq > 0), b2i(m > 1 && s.maxQ > 0)
		if ic := s.fit(spec(0, q1, 0, Q1, constant)); ic < bestIC {
			bestIC, p, P, q, Q = ic, 0, 0, q1, Q1
		}
	}
	if constant {
		if ic := s.fit(spec(0, 0, 0, 0, false)); ic < bestIC {
			bestIC, p, q, P, Q = ic, 0, 0, 0, 0
			constant = false
		}
	}
	// Neighbours in auto.arima's order: (ΔP, ΔQ), then (Δp, Δq), then the
	// constant.
	type move struct{ dp, dq, dP, dQ int }
	moves := []move{
		{0, 0, -1, 0}, {0, 0, 0, -1}, {0, 0, 1, 0}, {0, 0, 0, 1},
		{0, 0, -1, -1}, {0, 0, -1, 1}, {0, 0, 1, -1}, {0, 0, 1, 1},
		{-1, 0, 0, 0}, {0, -1, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0},
		{-1, -1, 0, 0}, {-1, 1, 0, 0}, {1, -1, 0, 0}, {1, 1, 0, 0},
	}
	for k := 0; len(s.tried) > k && len(s.tried) < arimaNModels; {
		k = len(s.tried)
		improved := false
		for _, mv := range moves {
			np, nq, nP, nQ := p+mv.dp, q+mv.dq, P+mv.dP, Q+mv.dQ
			if np < 0 || nq < 0 || nP < 0 || nQ < 0 || np > s.maxp || nq > s.maxq || nP > s.maxP || nQ > s.maxQ {
				continue
			}
			c := spec(np, nq, nP, nQ, constant)
			if !s.isNew(c) {
				continue
			}
			if len(s.tried) >= arimaNModels {
				break
			}
			if ic := s.fit(c); ic < bestIC {
				bestIC, p, q, P, Q = ic, np, nq, nP, nQ
				improved = true
				break
			}
		}
		if improved {
			continue
		}
		if s.allowDrift || s.allowMu {
			c := spec(p, q, P, Q, !constant)
			if s.isNew(c) && len(s.tried) < arimaNModels {
				if ic := s.fit(c); ic < bestIC {
					bestIC = ic
					constant = !constant
				}
			}
		}
	}
	var best, bestConv *arimaFit
	for _, f := range s.fits {
		if f == nil || math.IsInf(f.ic, 1) {
			continue
		}
		if best == nil || f.ic < best.ic {
			best = f
		}
		if f.converged && (bestConv == nil || f.ic < bestConv.ic) {
			bestConv = f
		}
	}
	if best != nil && !best.converged {
		if bestConv == nil {
			return best, fmt.Sprintf("%s: no model's optimiser converged; used the best anyway", best.spec)
		}
		return bestConv, fmt.Sprintf("%s did not converge; used %s, the best model that did", best.spec, bestConv.spec)
	}
	return best, ""
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// deterministic forecasts a series that is constant after differencing by
// continuing that constant, with zero-width intervals (auto.arima fits the
// differencing alone, with the constant as a fixed mean or drift).
func (s *arimaSearch) deterministic(h int, levels []float64) *Result {
	y := s.y
	dx := difference(y, s.d, s.D, s.m)
	c := 0.0
	if len(dx) > 0 {
		c = dx[0]
	}
	delta := arimaDelta(s.d, s.D, s.m)
	ext := append(append([]float64(nil), y...), make([]float64, h)...)
	n := len(y)
	for t := n; t < n+h; t++ {
		v := c
		for k, dk := range delta {
			v += dk * ext[t-k-1]
		}
		ext[t] = v
	}
	spec := arimaSpec{d: s.d, D: s.D, m: s.m, constant: c != 0 && s.d+s.D <= 1}
	r := &Result{Model: spec.String(), AICc: math.NaN(), Mean: ext[n:],
		Note: "series is constant after differencing: deterministic forecast"}
	normalIntervals(r, levels, make([]float64, h))
	return r
}

// ndiffs is the number of first differences (up to maxd) after which the
// KPSS test (level stationarity, lags ⌊3√n/13⌋) no longer rejects at 5%:
// statistic above 0.463. As statsforecast's ndiffs, each difference also
// drops its first value.
func ndiffs(x []float64, maxd int) int {
	d := 0
	if isConstant(x) {
		return 0
	}
	for d < maxd && kpssRejects(x) {
		d++
		x = difference(x, 1, 0, 1)
		if len(x) > 0 {
			x = x[1:]
		}
		if len(x) == 0 || isConstant(x) {
			return d
		}
	}
	return d
}

func kpssRejects(x []float64) bool {
	n := len(x)
	lags := int(math.Floor(3 * math.Sqrt(float64(n)) / 13))
	if n < 3 || lags >= n {
		return false
	}
	return kpss(x, lags) > arimaKPSSCritical5
}

// kpss is the KPSS level-stationarity statistic with a Bartlett-window
// long-run variance over lags lags (statsmodels' kpss(x, "c", nlags)).
func kpss(x []float64, lags int) float64 {
	n := len(x)
	mu := mean(x)
	e := make([]float64, n)
	for i, v := range x {
		e[i] = v - mu
	}
	eta, cum := 0.0, 0.0
	for _, v := range e {
		cum += v
		eta += cum * cum
	}
	eta /= float64(n) * float64(n)
	s := dot(e, e)
	for i := 1; i <= lags; i++ {
		s += 2 * dot(e[i:], e[:n-i]) * (1 - float64(i)/float64(lags+1))
	}
	s /= float64(n)
	return eta / s
}

// nsdiffs is 1 when the seasonal strength of x exceeds 0.64, else 0
// (forecast's nsdiffs with test "seas" and max_D = 1).
func nsdiffs(x []float64, m int) int {
	if isConstant(x) || m <= 1 || m >= len(x) {
		return 0
	}
	if seasStrength(x, m) > arimaSeasStrengthThreshold {
		return 1
	}
	return 0
}

// seasStrength is max(0, min(1, 1 - Var(R)/Var(R+S))) for the remainder R
// and season S of an STL decomposition (sample variances).
func seasStrength(x []float64, m int) float64 {
	season, trend := stl(x, m, arimaSTLSeasonalWindow)
	rem, rs := make([]float64, len(x)), make([]float64, len(x))
	for i, v := range x {
		rem[i] = v - season[i] - trend[i]
		rs[i] = rem[i] + season[i]
	}
	return math.Max(0, math.Min(1, 1-variance(rem)/variance(rs)))
}

func variance(x []float64) float64 {
	mu := mean(x)
	s := 0.0
	for _, v := range x {
		s += (v - mu) * (v - mu)
	}
	return s / float64(len(x)-1)
}
