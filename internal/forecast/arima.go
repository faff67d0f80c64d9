package forecast

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// This file holds one ARIMA(p,d,q)(P,D,Q)[m] fit: the exact Gaussian
// likelihood by a Kalman filter over the state space form R's arima uses
// (Gardner et al. 1980; Durbin and Koopman 2012), estimation by conditional
// sum of squares then maximum likelihood (R's and statsforecast's default
// method "CSS-ML"), and forecasts with intervals from the filter's forecast
// variance. The model search (AutoARIMA) is in arima_search.go.
//
// It is written by hand, over gonum, because no maintained Go library fits
// seasonal ARIMA models by exact maximum likelihood.

// arimaSpec names an ARIMA(p,d,q)(P,D,Q)[m] model. constant is a mean when
// d+D = 0 and a drift (a linear trend, i.e. a constant in the differenced
// series) when d+D = 1; it is never used with more differences.
type arimaSpec struct {
	p, d, q, P, D, Q, m int
	constant            bool
}

// String is statsforecast's arima_string without its padding:
// "ARIMA(1,1,0)(0,1,0)[12]", with " with drift" or " with non-zero mean"
// for a constant and " with zero mean" for an undifferenced model without
// one. The seasonal part is left out when m = 1 or P = D = Q = 0.
func (s arimaSpec) String() string {
	b := fmt.Sprintf("ARIMA(%d,%d,%d)", s.p, s.d, s.q)
	if s.m > 1 && s.P+s.D+s.Q > 0 {
		b += fmt.Sprintf("(%d,%d,%d)[%d]", s.P, s.D, s.Q, s.m)
	}
	switch {
	case s.constant && s.d+s.D == 0:
		b += " with non-zero mean"
	case s.constant:
		b += " with drift"
	case s.d+s.D == 0:
		b += " with zero mean"
	}
	return b
}

// narma is the number of ARMA coefficients; the parameter vector holds
// ar1..ar_p, ma1..ma_q, sar1..sar_P, sma1..sma_Q, then the mean or drift.
func (s arimaSpec) narma() int { return s.p + s.q + s.P + s.Q }

// arimaDelta returns the coefficients δ of the differencing operator
// (1-B)^d (1-B^m)^D = 1 - δ₁B - δ₂B² - …, as R's makeARIMA wants them.
func arimaDelta(d, D, m int) []float64 {
	poly := []float64{1}
	mul := func(lag int) {
		out := make([]float64, len(poly)+lag)
		for i, c := range poly {
			out[i] += c
			out[i+lag] -= c
		}
		poly = out
	}
	for range d {
		mul(1)
	}
	for range D {
		mul(m)
	}
	delta := make([]float64, len(poly)-1)
	for i := range delta {
		delta[i] = -poly[i+1]
	}
	return delta
}

// difference returns x differenced d times at lag 1 and D times at lag m,
// len(x)-d-D·m values.
func difference(x []float64, d, D, m int) []float64 {
	out := append([]float64(nil), x...)
	for range d {
		for t := len(out) - 1; t >= 1; t-- {
			out[t] -= out[t-1]
		}
		out = out[1:]
	}
	for range D {
		for t := len(out) - 1; t >= m; t-- {
			out[t] -= out[t-m]
		}
		out = out[m:]
	}
	return out
}

// partrans maps unconstrained values to the coefficients of a stationary
// AR polynomial (Jones 1980, Monahan 1984): tanh gives partial
// autocorrelations in (-1, 1), the Durbin-Levinson recursion turns them
// into AR coefficients. out and raw may not overlap.
func partrans(raw, out []float64) {
	p := len(raw)
	var buf [64]float64
	work := buf[:0]
	if p > len(buf) {
		work = make([]float64, 0, p)
	}
	for j, v := range raw {
		out[j] = math.Tanh(v)
	}
	work = append(work, out...)
	for j := 1; j < p; j++ {
		a := out[j]
		for k := range j {
			work[k] = out[k] - a*out[j-k-1]
		}
		copy(out[:j], work[:j])
	}
}

// invpartrans inverts partrans: the Durbin-Levinson recursion run
// backwards gives the partial autocorrelations of the AR coefficients phi,
// atanh maps them back. A non-stationary phi gives NaN or ±Inf.
func invpartrans(phi, out []float64) {
	p := len(phi)
	copy(out, phi)
	work := make([]float64, p)
	for j := p - 1; j > 0; j-- {
		a := out[j]
		for k := range j {
			work[k] = (out[k] + a*out[j-k-1]) / (1 - a*a)
		}
		copy(out[:j], work[:j])
	}
	for j := range out[:p] {
		out[j] = math.Atanh(out[j])
	}
}

// expand multiplies out the seasonal ARMA polynomials: phi (length
// p+m·P) and theta (length q+m·Q) of (1-φ(B))(1-Φ(B^m)) and
// (1+θ(B))(1+Θ(B^m)), from the parameter vector par. With trans the AR
// and seasonal AR blocks of par are partrans'd first.
func (s arimaSpec) expand(par []float64, trans bool, phi, theta []float64) {
	ar, ma := par[:s.p], par[s.p:s.p+s.q]
	sar, sma := par[s.p+s.q:s.p+s.q+s.P], par[s.p+s.q+s.P:s.narma()]
	if trans {
		var buf [32]float64
		t := buf[:0]
		if s.p+s.P > len(buf) {
			t = make([]float64, 0, s.p+s.P)
		}
		t = t[:s.p+s.P]
		partrans(ar, t[:s.p])
		partrans(sar, t[s.p:])
		ar, sar = t[:s.p], t[s.p:]
	}
	clear(phi)
	clear(theta)
	copy(phi, ar)
	copy(theta, ma)
	for j, sv := range sar {
		phi[(j+1)*s.m-1] += sv
		for i, av := range ar {
			phi[(j+1)*s.m+i] -= av * sv
		}
	}
	for j, sv := range sma {
		theta[(j+1)*s.m-1] += sv
		for i, mv := range ma {
			theta[(j+1)*s.m+i] += mv * sv
		}
	}
}

// ssModel is the state space form of an ARIMA model R's makeARIMA builds:
// the ARMA part (Harvey's form, r = max(p, q+1) states whose first is the
// differenced series) followed by the last d+D·m values of the series for
// the differencing. The observation is Z·α with Z = (1, 0…0, δ); the
// transition is
//
//	α[i] ← φᵢ·α[0] + α[i+1] + θᵢ·ε   (i < r; θ₀ = 1)
//	α[r] ← α[0] + Σ δₖ·α[r+k]
//	α[r+k] ← α[r+k-1]
//
// P and Pn are rd×rd, row-major.
type ssModel struct {
	phi, theta, delta []float64
	r, rd             int
	a, P, Pn          []float64
	anew, M, mm, Pnew []float64
	gam, psi          []float64 // scratch for q0
	sys               []float64
}

// ssKappa is the prior variance of the differencing states (R's kappa):
// observations whose prediction variance exceeds 1e4 — the first d+D·m —
// are left out of the likelihood.
const ssKappa = 1e6

func newSSModel(np, nq, nd int) *ssModel {
	r := max(np, nq+1)
	rd := r + nd
	return &ssModel{
		phi: make([]float64, np), theta: make([]float64, nq), delta: make([]float64, nd),
		r: r, rd: rd,
		a: make([]float64, rd), P: make([]float64, rd*rd), Pn: make([]float64, rd*rd),
		anew: make([]float64, rd), M: make([]float64, rd), mm: make([]float64, rd*rd), Pnew: make([]float64, rd*rd),
		gam: make([]float64, r+1), psi: make([]float64, r+1), sys: make([]float64, (np+1)*(np+2)),
	}
}

// init resets the state to its prior: mean zero, the stationary covariance
// of the ARMA states (q0) and ssKappa on the differencing states. It
// reports false when the AR part is not stationary enough for q0.
func (s *ssModel) init() bool {
	clear(s.a)
	clear(s.P)
	clear(s.Pn)
	ok := s.q0()
	for k := s.r; k < s.rd; k++ {
		s.Pn[k*s.rd+k] = ssKappa
	}
	return ok
}

// q0 sets the top-left r×r block of Pn to the stationary covariance of the
// ARMA states (unit innovation variance) — what Gardner et al.'s
// algorithm (R's getQ0) computes, derived here from the autocovariances:
// γ(0..p) solve the ARMA Yule-Walker system, the first row of the
// covariance is Cov(y_t, α_t[j]) = Σ_{l≥j} φ_l γ(l-j+1) + θ_l ψ_{l-j}
// (ψ the MA(∞) weights), and the rest follows from P = T P T' + R R'.
func (s *ssModel) q0() bool {
	r, p, q := s.r, len(s.phi), len(s.theta)
	ph := func(i int) float64 {
		if i < p {
			return s.phi[i]
		}
		return 0
	}
	th := func(i int) float64 { // θ'_i, θ'_0 = 1
		if i == 0 {
			return 1
		}
		if i <= q {
			return s.theta[i-1]
		}
		return 0
	}
	psi, gam := s.psi, s.gam
	for j := range psi {
		v := th(j)
		for i := 1; i <= min(j, p); i++ {
			v += s.phi[i-1] * psi[j-i]
		}
		psi[j] = v
	}
	// c_k = Σ_{j=k}^{q} θ'_j ψ_{j-k}
	c := func(k int) float64 {
		v := 0.0
		for j := k; j <= q; j++ {
			v += th(j) * psi[j-k]
		}
		return v
	}
	if p == 0 {
		for k := range gam {
			gam[k] = c(k)
		}
	} else {
		// (p+1)×(p+1) system, augmented column last.
		w := p + 2
		A := s.sys[:(p+1)*w]
		clear(A)
		for k := 0; k <= p; k++ {
			A[k*w+k] += 1
			for i := 1; i <= p; i++ {
				A[k*w+abs(k-i)] -= s.phi[i-1]
			}
			A[k*w+p+1] = c(k)
		}
		if !solveAugmented(A, p+1) {
			return false
		}
		for k := 0; k <= p && k <= r; k++ {
			gam[k] = A[k*w+p+1]
		}
		for k := p + 1; k <= r; k++ {
			v := c(k)
			for i := 1; i <= p; i++ {
				v += s.phi[i-1] * gam[k-i]
			}
			gam[k] = v
		}
	}
	if !(gam[0] > 0) || math.IsInf(gam[0], 0) {
		return false
	}
	rd, P := s.rd, s.Pn
	for j := range r {
		v := 0.0
		for l := j; l < r; l++ {
			v += ph(l)*gam[l-j+1] + th(l)*psi[l-j]
		}
		P[j] = v
		P[j*rd] = v
	}
	P[0] = gam[0]
	for i := 0; i < r-1; i++ {
		for j := i; j < r-1; j++ {
			v := P[i*rd+j] - ph(i)*ph(j)*P[0] - ph(i)*P[j+1] - ph(j)*P[i+1] - th(i)*th(j)
			P[(i+1)*rd+j+1] = v
			P[(j+1)*rd+i+1] = v
		}
	}
	return true
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// solveAugmented solves the n×n system held row-major with its right-hand
// side as column n (row stride n+1) by Gaussian elimination with partial
// pivoting, leaving the solution in that column. Reports false when the
// matrix is singular.
func solveAugmented(A []float64, n int) bool {
	w := n + 1
	for col := range n {
		piv := col
		for i := col + 1; i < n; i++ {
			if math.Abs(A[i*w+col]) > math.Abs(A[piv*w+col]) {
				piv = i
			}
		}
		if A[piv*w+col] == 0 || math.IsNaN(A[piv*w+col]) {
			return false
		}
		if piv != col {
			for j := col; j < w; j++ {
				A[col*w+j], A[piv*w+j] = A[piv*w+j], A[col*w+j]
			}
		}
		for i := col + 1; i < n; i++ {
			f := A[i*w+col] / A[col*w+col]
			if f == 0 {
				continue
			}
			for j := col; j < w; j++ {
				A[i*w+j] -= f * A[col*w+j]
			}
		}
	}
	for i := n - 1; i >= 0; i-- {
		v := A[i*w+n]
		for j := i + 1; j < n; j++ {
			v -= A[i*w+j] * A[j*w+n]
		}
		A[i*w+n] = v / A[i*w+i]
	}
	return true
}

// transVec sets dst = T·src for a state vector.
func (s *ssModel) transVec(dst, src []float64) {
	r, p := s.r, len(s.phi)
	for i := range r {
		v := 0.0
		if i < r-1 {
			v = src[i+1]
		}
		if i < p {
			v += s.phi[i] * src[0]
		}
		dst[i] = v
	}
	if s.rd > r {
		v := src[0]
		for k, dk := range s.delta {
			v += dk * src[r+k]
		}
		dst[r] = v
		for i := r + 1; i < s.rd; i++ {
			dst[i] = src[i-1]
		}
	}
}

// predictCov sets Pnew = T·P·T' + R·R'.
func (s *ssModel) predictCov() {
	rd, r, p := s.rd, s.r, len(s.phi)
	P, mm, Pn := s.P, s.mm, s.Pnew
	// mm = T·P, row by row.
	for i := range r {
		row := mm[i*rd : (i+1)*rd]
		if i < r-1 {
			copy(row, P[(i+1)*rd:(i+2)*rd])
		} else {
			clear(row)
		}
		if i < p && s.phi[i] != 0 {
			f, src := s.phi[i], P[:rd]
			for j := range row {
				row[j] += f * src[j]
			}
		}
	}
	if rd > r {
		row := mm[r*rd : (r+1)*rd]
		copy(row, P[:rd])
		for k, dk := range s.delta {
			if dk == 0 {
				continue
			}
			src := P[(r+k)*rd : (r+k+1)*rd]
			for j := range row {
				row[j] += dk * src[j]
			}
		}
		for i := r + 1; i < rd; i++ {
			copy(mm[i*rd:(i+1)*rd], P[(i-1)*rd:i*rd])
		}
	}
	// Pnew = mm·T', i.e. T applied to each row of mm from the right.
	for i := range rd {
		row, out := mm[i*rd:(i+1)*rd], Pn[i*rd:(i+1)*rd]
		for j := range r {
			v := 0.0
			if j < r-1 {
				v = row[j+1]
			}
			if j < p {
				v += s.phi[j] * row[0]
			}
			out[j] = v
		}
		if rd > r {
			v := row[0]
			for k, dk := range s.delta {
				v += dk * row[r+k]
			}
			out[r] = v
			copy(out[r+1:], row[r:rd-1])
		}
	}
	q := min(len(s.theta), r-1)
	for i := 0; i <= q; i++ {
		vi := 1.0
		if i > 0 {
			vi = s.theta[i-1]
		}
		for j := 0; j <= q; j++ {
			vj := 1.0
			if j > 0 {
				vj = s.theta[j-1]
			}
			Pn[i*rd+j] += vi * vj
		}
	}
}

// filter runs the Kalman filter over x from the prior set by init and
// returns the sum of squared standardised innovations, the sum of the log
// innovation variances and the number of observations in both (those with
// variance below 1e4), as R's ARIMA_Like does. With resid non-nil it also
// stores the standardised innovations of every observation. a and P are
// left at the filtered state after the last observation.
func (s *ssModel) filter(x []float64, resid []float64) (ssq, sumlog float64, nu int) {
	rd, r := s.rd, s.r
	a, anew, M, P, Pn := s.a, s.anew, s.M, s.P, s.Pnew
	for l, y := range x {
		s.transVec(anew, a)
		if l > 0 {
			s.predictCov()
		} else {
			copy(Pn, s.Pn)
		}
		e := y - anew[0]
		for k, dk := range s.delta {
			e -= dk * anew[r+k]
		}
		for i := range rd {
			row := Pn[i*rd : (i+1)*rd]
			v := row[0]
			for k, dk := range s.delta {
				v += row[r+k] * dk
			}
			M[i] = v
		}
		gain := M[0]
		for k, dk := range s.delta {
			gain += dk * M[r+k]
		}
		if gain < 1e4 {
			nu++
			if gain == 0 {
				ssq = math.Inf(1)
			} else {
				ssq += e * e / gain
			}
			sumlog += math.Log(gain)
		}
		if resid != nil {
			resid[l] = e / math.Sqrt(gain)
		}
		if gain == 0 {
			for i := range a {
				a[i] = math.Inf(1)
			}
			return math.Inf(1), sumlog, nu
		}
		for i := range rd {
			a[i] = anew[i] + M[i]*e/gain
			f := M[i] / gain
			row, src := P[i*rd:(i+1)*rd], Pn[i*rd:(i+1)*rd]
			for j := range rd {
				row[j] = src[j] - f*M[j]
			}
		}
	}
	return ssq, sumlog, nu
}

// forecast continues the filtered state h steps: the point forecasts Z·a
// and their variances Z·P·Z' in units of the innovation variance.
func (s *ssModel) forecast(h int) (mean, v []float64) {
	rd, r := s.rd, s.r
	a := append([]float64(nil), s.a...)
	mean, v = make([]float64, h), make([]float64, h)
	Z := make([]float64, rd)
	Z[0] = 1
	copy(Z[r:], s.delta)
	for i := range h {
		s.transVec(s.anew, a)
		copy(a, s.anew)
		s.predictCov()
		copy(s.P, s.Pnew)
		for j, z := range Z {
			mean[i] += z * a[j]
		}
		for j, zj := range Z {
			if zj == 0 {
				continue
			}
			for k, zk := range Z {
				v[i] += zj * zk * s.P[j*rd+k]
			}
		}
	}
	return mean, v
}

// arimaFit is one fitted model.
type arimaFit struct {
	spec arimaSpec
	// coef is the parameter vector (see narma), AR blocks as coefficients.
	coef               []float64
	loglik, aic, aicc  float64
	sigma2             float64
	ic                 float64 // aicc, or +Inf when the model is rejected
	converged          bool
	y                  []float64
	xreg               []float64 // the mean's or drift's regressor, nil without
	mod                *ssModel  // filtered to the end of y
	nUsed              int
	minRoot            float64
	phiFull, thetaFull []float64
}

var errNonStationary = errors.New("non-stationary AR part from CSS")

// ARIMA estimation settings: BFGS iterations for CSS and for ML (R and
// statsforecast use 100 for each).
const arimaMaxIter = 200

// fitArima estimates spec on y as statsforecast's arima(method="CSS-ML")
// and myarima do: starting values from minimising the conditional sum of
// squares (the mean or drift from a regression on the differenced series),
// then BFGS on the exact Gaussian log-likelihood with the AR blocks
// reparameterised through partrans (always stationary), then the AICc
// (with σ² counted as a parameter) and σ² = Σe²/(n-d-D·m-k), the sum over
// the standardised innovations. The model is rejected (ic = +Inf) when the
// CSS AR estimates are not stationary, or when a root of the fitted AR or
// MA polynomial lies within 1.01 of the unit circle (checked as
// statsforecast does: only when a coefficient beyond the first is
// non-zero).
func fitArima(y []float64, spec arimaSpec) (*arimaFit, error) {
	n := len(y)
	nd := spec.d + spec.D*spec.m
	if spec.d+spec.D > 1 {
		spec.constant = false
	}
	if n <= nd+1 {
		return nil, tooShort(spec.String(), n, nd+2)
	}
	f := &arimaFit{spec: spec, y: y, ic: math.Inf(1), nUsed: n - nd}
	narma := spec.narma()
	k := narma
	if spec.constant {
		k++
		f.xreg = make([]float64, n)
		for t := range f.xreg {
			if spec.d+spec.D == 0 {
				f.xreg[t] = 1
			} else {
				f.xreg[t] = float64(t + 1)
			}
		}
	}
	np, nq := spec.p+spec.m*spec.P, spec.q+spec.m*spec.Q
	delta := arimaDelta(spec.d, spec.D, spec.m)
	mod := newSSModel(np, nq, len(delta))
	copy(mod.delta, delta)
	f.mod = mod

	init := make([]float64, k)
	if spec.constant {
		dx, dr := difference(y, spec.d, spec.D, spec.m), difference(f.xreg, spec.d, spec.D, spec.m)
		num, den := 0.0, 0.0
		for i := range dx {
			num += dx[i] * dr[i]
			den += dr[i] * dr[i]
		}
		init[narma] = num / den
	}
	work := make([]float64, n)
	resid := make([]float64, n)
	withX := func(par []float64) []float64 {
		copy(work, y)
		if spec.constant {
			c := par[narma]
			for t := range work {
				work[t] -= c * f.xreg[t]
			}
		}
		return work
	}
	ncond := spec.p + spec.d + spec.m*(spec.P+spec.D)
	css := func(par []float64) float64 {
		spec.expand(par, false, mod.phi, mod.theta)
		v := cssResidual(withX(par), spec, mod.phi, mod.theta, ncond, resid)
		switch {
		case math.IsInf(v, 1) || math.IsNaN(v):
			return math.MaxFloat64
		case v <= 0:
			return math.Inf(-1)
		}
		return 0.5 * math.Log(v)
	}
	f.converged = true
	if k > 0 {
		x, _, conv := bfgs(css, init, arimaMaxIter)
		if conv {
			copy(init, x)
		}
	}
	// Starting values in the transformed space.
	invpartrans(append([]float64(nil), init[:spec.p]...), init[:spec.p])
	o := spec.p + spec.q
	invpartrans(append([]float64(nil), init[o:o+spec.P]...), init[o:o+spec.P])
	for _, v := range init {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return f, errNonStationary
		}
	}
	ml := func(par []float64) float64 {
		spec.expand(par, true, mod.phi, mod.theta)
		if !mod.init() {
			return math.Inf(1)
		}
		ssq, sumlog, nu := mod.filter(withX(par), nil)
		if nu == 0 {
			return math.Inf(1)
		}
		s2 := ssq / float64(nu)
		if !(s2 > 0) {
			return math.NaN()
		}
		return 0.5 * (math.Log(s2) + sumlog/float64(nu))
	}
	par, fun := init, 0.0
	if k > 0 {
		var conv bool
		par, fun, conv = bfgs(ml, init, arimaMaxIter)
		f.converged = conv
	} else {
		fun = ml(par)
	}
	if math.IsNaN(fun) || math.IsInf(fun, 0) {
		return f, fmt.Errorf("%s: likelihood is %v", spec, fun)
	}
	coef := append([]float64(nil), par...)
	partrans(par[:spec.p], coef[:spec.p])
	partrans(par[o:o+spec.P], coef[o:o+spec.P])
	f.coef = coef

	nu := float64(f.nUsed)
	value := 2*nu*fun + nu + nu*math.Log(2*math.Pi)
	f.loglik = -0.5 * value
	f.aic = value + 2*float64(k+1)
	npar := float64(k + 1)
	nstar := float64(n - nd)
	if nstar-npar-1 != 0 {
		f.aicc = f.aic + 2*npar*(npar+1)/(nstar-npar-1)
	} else {
		f.aicc = math.Inf(1)
	}

	// Final pass: residuals, σ² and the state to forecast from.
	spec.expand(coef, false, mod.phi, mod.theta)
	if !mod.init() {
		return f, fmt.Errorf("%s: fitted AR part is not stationary", spec)
	}
	mod.filter(withX(coef), resid)
	ss := 0.0
	for _, e := range resid {
		ss += e * e
	}
	f.sigma2 = ss / (nstar - npar + 1)
	f.phiFull = append([]float64(nil), mod.phi...)
	f.thetaFull = append([]float64(nil), mod.theta...)
	f.minRoot = math.Min(minRoot(mod.phi, -1), minRoot(mod.theta, 1))
	if f.minRoot >= 1.01 && !math.IsNaN(f.aicc) {
		f.ic = f.aicc
	}
	return f, nil
}

// minRoot is the smallest modulus of the roots of 1 + sign·(c₁z + c₂z² + …),
// 2 when no coefficient beyond the first exceeds 1e-8 (statsforecast checks
// roots only then).
func minRoot(c []float64, sign float64) float64 {
	last := -1
	for i, v := range c {
		if math.Abs(v) > 1e-8 {
			last = i
		}
	}
	if last <= 0 {
		return 2
	}
	// Roots of 1 + sign·Σ cᵢzⁱ are the reciprocals of the eigenvalues of the
	// companion matrix of z^k + sign·(c₁z^{k-1} + … + c_k).
	k := last + 1
	comp := mat.NewDense(k, k, nil)
	for j := range k {
		comp.Set(0, j, -sign*c[j])
	}
	for i := 1; i < k; i++ {
		comp.Set(i, i-1, 1)
	}
	var eig mat.Eigen
	if !eig.Factorize(comp, mat.EigenNone) {
		return 0
	}
	m := 2.0
	for _, ev := range eig.Values(nil) {
		a := math.Hypot(real(ev), imag(ev))
		if a == 0 {
			continue
		}
		m = math.Min(m, 1/a)
	}
	return m
}

// cssResidual returns the conditional mean square of the one-step errors
// of the differenced x (R's ARIMA_CSS): the first ncond errors are taken as
// zero and left out. It differences x in place.
func cssResidual(x []float64, spec arimaSpec, phi, theta []float64, ncond int, resid []float64) float64 {
	n := len(x)
	w := x
	for range spec.d {
		for l := n - 1; l > 0; l-- {
			w[l] -= w[l-1]
		}
	}
	for range spec.D {
		for l := n - 1; l >= spec.m; l-- {
			w[l] -= w[l-spec.m]
		}
	}
	ssq, nu := 0.0, 0
	for l := ncond; l < n; l++ {
		v := w[l]
		for j, c := range phi {
			v -= c * w[l-j-1]
		}
		for j := range min(l-ncond, len(theta)) {
			v -= theta[j] * resid[l-j-1]
		}
		resid[l] = v
		ssq += v * v
		nu++
	}
	if nu == 0 {
		return math.NaN()
	}
	return ssq / float64(nu)
}

// forecast returns h point forecasts and their standard errors.
func (f *arimaFit) forecast(h int) (mean, se []float64) {
	mean, v := f.mod.forecast(h)
	se = make([]float64, h)
	n := len(f.y)
	for i := range mean {
		if f.spec.constant {
			c := f.coef[f.spec.narma()]
			if f.spec.d+f.spec.D == 0 {
				mean[i] += c
			} else {
				mean[i] += c * float64(n+i+1)
			}
		}
		se[i] = math.Sqrt(v[i] * f.sigma2)
	}
	return mean, se
}

// result packs the forecast as a Result.
func (f *arimaFit) result(h int, levels []float64) *Result {
	mean, se := f.forecast(h)
	r := &Result{Model: f.spec.String(), AICc: f.aicc, Mean: mean}
	normalIntervals(r, levels, se)
	return r
}

// loglikAt evaluates the exact log-likelihood of spec on y at the
// parameter vector coef (AR blocks as coefficients, not transformed), as
// arima's objective does at its optimum.
func loglikAt(y []float64, spec arimaSpec, coef []float64) float64 {
	n := len(y)
	nd := spec.d + spec.D*spec.m
	delta := arimaDelta(spec.d, spec.D, spec.m)
	mod := newSSModel(spec.p+spec.m*spec.P, spec.q+spec.m*spec.Q, len(delta))
	copy(mod.delta, delta)
	spec.expand(coef, false, mod.phi, mod.theta)
	if !mod.init() {
		return math.NaN()
	}
	x := append([]float64(nil), y...)
	if spec.constant {
		c := coef[spec.narma()]
		for t := range x {
			if spec.d+spec.D == 0 {
				x[t] -= c
			} else {
				x[t] -= c * float64(t+1)
			}
		}
	}
	ssq, sumlog, nu := mod.filter(x, nil)
	fun := 0.5 * (math.Log(ssq/float64(nu)) + sumlog/float64(nu))
	nUsed := float64(n - nd)
	return -0.5 * (2*nUsed*fun + nUsed + nUsed*math.Log(2*math.Pi))
}
