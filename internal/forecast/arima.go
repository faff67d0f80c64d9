package forecast

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"

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
	k, w, tw          []float64 // filterStationary's gain and rank-one factor
	sys               []float64
	// The indices of the non-zero coefficients (set by init): seasonal
	// models are mostly zeros, and skipping them changes no sum.
	phiNZ, thetaNZ, deltaNZ []int
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
		k: make([]float64, rd), w: make([]float64, rd), tw: make([]float64, rd),
	}
}

// init resets the state to its prior: mean zero, the stationary covariance
// of the ARMA states (q0) and ssKappa on the differencing states. It
// reports false when the AR part is not stationary enough for q0.
func (s *ssModel) init() bool {
	nonZero := func(dst []int, c []float64) []int {
		dst = dst[:0]
		for i, v := range c {
			if v != 0 {
				dst = append(dst, i)
			}
		}
		return dst
	}
	s.phiNZ, s.thetaNZ, s.deltaNZ = nonZero(s.phiNZ, s.phi), nonZero(s.thetaNZ, s.theta), nonZero(s.deltaNZ, s.delta)
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
		for _, k := range s.deltaNZ {
			dk := s.delta[k]
			src := P[(r+k)*rd : (r+k+1)*rd]
			for j := range row {
				row[j] += dk * src[j]
			}
		}
		for i := r + 1; i < rd; i++ {
			copy(mm[i*rd:(i+1)*rd], P[(i-1)*rd:i*rd])
		}
	}
	// Pnew = mm·T', i.e. T applied to each row of mm from the right; only
	// the upper triangle (Pnew is symmetric), mirrored below.
	for i := range rd {
		row, out := mm[i*rd:(i+1)*rd], Pn[i*rd:(i+1)*rd]
		if i < r {
			copy(out[i:r-1], row[i+1:r])
			out[r-1] = 0
			for _, j := range s.phiNZ {
				if j >= i {
					out[j] += s.phi[j] * row[0]
				}
			}
		}
		if rd > r {
			if i <= r {
				v := row[0]
				for _, k := range s.deltaNZ {
					v += s.delta[k] * row[r+k]
				}
				out[r] = v
			}
			lo := max(r+1, i)
			copy(out[lo:], row[lo-1:rd-1])
		}
	}
	for i := 1; i < rd; i++ {
		for j := range i {
			Pn[i*rd+j] = Pn[j*rd+i]
		}
	}
	// R·R' where R = (1, θ₁, …, θ_q): only its non-zero entries.
	q := min(len(s.theta), r-1)
	var buf [16]int
	nz := append(buf[:0], 0)
	for _, k := range s.thetaNZ {
		if k+1 <= q {
			nz = append(nz, k+1)
		}
	}
	coef := func(i int) float64 {
		if i == 0 {
			return 1
		}
		return s.theta[i-1]
	}
	for _, i := range nz {
		vi := coef(i)
		for _, j := range nz {
			Pn[i*rd+j] += vi * coef(j)
		}
	}
}

// filter runs the Kalman filter over x from the prior set by init and
// returns the sum of squared standardised innovations, the sum of the log
// innovation variances and the number of observations in both (those with
// variance below 1e4), as R's ARIMA_Like does. With resid non-nil it also
// stores the standardised innovations of every observation. a and P are
// left at the filtered state after the last observation.
//
// Once the filter has reached its steady state — the innovation variance
// and the gain vector changed by less than ssSteady (relative) over two
// steps — the covariance recursion is skipped and the last gain reused,
// which changes the likelihood by about that much and saves most of the
// work on long series.
func (s *ssModel) filter(x []float64, resid []float64) (ssq, sumlog float64, nu int) {
	rd, r := s.rd, s.r
	a, anew, M, P, Pn := s.a, s.anew, s.M, s.P, s.Pnew
	var buf [64]float64
	prevM := buf[:0]
	if rd > len(buf) {
		prevM = make([]float64, 0, rd)
	}
	prevM = prevM[:rd]
	var fbuf [64]float64
	fk := fbuf[:0]
	if rd > len(fbuf) {
		fk = make([]float64, 0, rd)
	}
	fk = fk[:rd]
	prevGain, calm, steady := 0.0, 0, false
	for l, y := range x {
		s.transVec(anew, a)
		if !steady {
			if l > 0 {
				s.predictCov()
			} else {
				copy(Pn, s.Pn)
				// Exactly symmetric from the start (predictCov keeps it
				// so), which the covariance update below relies on.
				for i := 1; i < rd; i++ {
					for j := range i {
						Pn[i*rd+j] = Pn[j*rd+i]
					}
				}
			}
		}
		e := y - anew[0]
		for _, k := range s.deltaNZ {
			e -= s.delta[k] * anew[r+k]
		}
		if !steady {
			for i := range rd {
				row := Pn[i*rd : (i+1)*rd]
				v := row[0]
				for _, k := range s.deltaNZ {
					v += row[r+k] * s.delta[k]
				}
				M[i] = v
			}
		}
		gain := M[0]
		for _, k := range s.deltaNZ {
			gain += s.delta[k] * M[r+k]
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
		f := e / gain
		for i := range rd {
			a[i] = anew[i] + M[i]*f
		}
		if steady {
			continue
		}
		// P = Pn - M·M'/gain, symmetric: the element (i, j) is computed
		// as (min, max) is, so P stays exactly symmetric, row by row
		// without a strided mirror.
		for i := range rd {
			fk[i] = M[i] / gain
		}
		for i := range rd {
			row, src := P[i*rd:(i+1)*rd], Pn[i*rd:(i+1)*rd]
			mi := M[i]
			for j := range i {
				row[j] = src[j] - fk[j]*mi
			}
			fi := fk[i]
			for j := i; j < rd; j++ {
				row[j] = src[j] - fi*M[j]
			}
		}
		if gain < 1e4 && l > 0 {
			d := math.Abs(gain-prevGain) / gain
			for i := range rd {
				d = math.Max(d, math.Abs(M[i]-prevM[i])/gain)
			}
			if d < ssSteady {
				calm++
				steady = calm >= 2
			} else {
				calm = 0
			}
		}
		prevGain = gain
		copy(prevM, M)
	}
	return ssq, sumlog, nu
}

// filterStationary returns filter's sums for a model without differencing
// states (rd = r) from the prior init sets, by the Chandrasekhar
// recursions (Morf, Sidhu and Kailath 1974; Herbst 2015) instead of the
// covariance recursion: the prior is the stationary covariance P₁ = P, so
// P₂ - P₁ = -k₁k₁'/F₁ has rank one, and so has every later change of
// the prediction covariance, P_{t+1} - P_t = m_t·w_t·w_t'. The gain is
// then updated from w and m in O(r) per observation rather than O(r²),
// exactly (to rounding) and with no steady state to wait for. With k_t =
// T·P_t·Z' and F_t = Z·P_t·Z', one step is
//
//	F_{t+1} = F_t + m_t·(Z·w_t)²
//	k_{t+1} = k_t + T·w_t·m_t·(Z·w_t)
//	m_{t+1} = m_t + m_t²·(Z·w_t)²/F_t
//	w_{t+1} = T·w_t - k_{t+1}·(Z·w_t)/F_{t+1}
//
// starting from w₁ = k₁, m₁ = -1/F₁, and the predicted state is
// a_{t+1} = T·a_t + k_t·e_t/F_t. It leaves a at the prediction after the
// last observation and P as it was; ml needs only the sums.
func (s *ssModel) filterStationary(x []float64) (ssq, sumlog float64, nu int) {
	r := s.r
	a, anew, k, w, tw := s.a[:r], s.anew[:r], s.k[:r], s.w[:r], s.tw[:r]
	col := s.M[:r]
	for i := range r {
		col[i] = s.Pn[i*s.rd]
	}
	s.transVec(k, col)
	F := s.Pn[0]
	if !(F > 0) {
		return math.Inf(1), 0, 0
	}
	copy(w, k)
	m := -1 / F
	clear(a)
	for _, y := range x {
		e := y - a[0]
		if F < 1e4 {
			nu++
			ssq += e * e / F
			sumlog += math.Log(F)
		}
		f := e / F
		s.transVec(anew, a)
		for i := range r {
			a[i] = anew[i] + k[i]*f
		}
		zw := w[0]
		mzw := m * zw
		Fn := F + mzw*zw
		if !(Fn > 0) {
			return math.Inf(1), sumlog, nu
		}
		s.transVec(tw, w)
		for i := range r {
			k[i] += tw[i] * mzw
		}
		m += mzw * mzw / F
		g := zw / Fn
		for i := range r {
			w[i] = tw[i] - k[i]*g
		}
		F = Fn
	}
	return ssq, sumlog, nu
}

// ssSteady is the relative change below which filter takes the gain as
// converged: near rounding, so that the likelihood stays smooth enough for
// finite-difference gradients (at 1e-11 the switch point's jitter stalled
// BFGS).
const ssSteady = 1e-14

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

var errNonStationary = errors.New("non-stationary AR part from CSS")

// ARIMA estimation settings: BFGS iterations for CSS and for ML (R and
// statsforecast use 100 for each).
const arimaMaxIter = 100

// arimaCSSRelTol is the relative improvement below which the CSS search
// stops, and arimaCSSMaxIter its iteration limit: tighter and higher than
// R's because CSS evaluations are cheap and the result seeds the
// likelihood search (statsforecast's scipy BFGS runs until its line search
// fails).
const (
	arimaCSSRelTol  = 1e-12
	arimaCSSMaxIter = 500
)

// arimaProblem is the data and work space of one model's estimation.
type arimaProblem struct {
	spec        arimaSpec
	y, xreg     []float64 // xreg: the mean's or drift's regressor, nil without
	work, resid []float64
	mod         *ssModel
	// What the search (ml) filters: the ARMA part alone (smod, no
	// differencing states) over the differenced series and regressor
	// (sy, sxreg; y, xreg and mod themselves without differencing);
	// swork is its buffer.
	smod             *ssModel
	sy, sxreg, swork []float64
	narma, k         int // ARMA coefficients; all parameters
	ncond            int // observations CSS conditions on
	init, scale      []float64
}

func newArimaProblem(y []float64, spec arimaSpec) (*arimaProblem, error) {
	n := len(y)
	nd := spec.d + spec.D*spec.m
	if spec.d+spec.D > 1 {
		spec.constant = false
	}
	if n <= nd+1 {
		return nil, tooShort(spec.String(), n, nd+2)
	}
	pr := &arimaProblem{spec: spec, y: y, work: make([]float64, n), resid: make([]float64, n),
		narma: spec.narma(), k: spec.narma(), ncond: spec.p + spec.d + spec.m*(spec.P+spec.D)}
	if spec.constant {
		pr.k++
		pr.xreg = make([]float64, n)
		for t := range pr.xreg {
			if spec.d+spec.D == 0 {
				pr.xreg[t] = 1
			} else {
				pr.xreg[t] = float64(t + 1)
			}
		}
	}
	delta := arimaDelta(spec.d, spec.D, spec.m)
	pr.mod = newSSModel(spec.p+spec.m*spec.P, spec.q+spec.m*spec.Q, len(delta))
	copy(pr.mod.delta, delta)
	pr.smod, pr.sy, pr.sxreg = pr.mod, y, pr.xreg
	if nd > 0 {
		pr.smod = newSSModel(len(pr.mod.phi), len(pr.mod.theta), 0)
		pr.sy = difference(y, spec.d, spec.D, spec.m)
		if pr.xreg != nil {
			pr.sxreg = difference(pr.xreg, spec.d, spec.D, spec.m)
		}
	}
	pr.swork = make([]float64, len(pr.sy))
	// Starting values and parameter scales as R's arima: zero ARMA
	// coefficients (scale 1), the mean or drift from a regression of the
	// differenced series on the differenced regressor (scale 10 standard
	// errors).
	pr.init, pr.scale = make([]float64, pr.k), make([]float64, pr.k)
	for i := range pr.scale {
		pr.scale[i] = 1
	}
	if pr.xreg != nil {
		dx, dr := difference(y, spec.d, spec.D, spec.m), difference(pr.xreg, spec.d, spec.D, spec.m)
		num, den := 0.0, 0.0
		for i := range dx {
			num += dx[i] * dr[i]
			den += dr[i] * dr[i]
		}
		b := num / den
		ss := 0.0
		for i := range dx {
			e := dx[i] - b*dr[i]
			ss += e * e
		}
		pr.init[pr.narma] = b
		if se := math.Sqrt(ss / float64(max(len(dx)-1, 1)) / den); se > 0 && !math.IsInf(se, 0) {
			pr.scale[pr.narma] = 10 * se
		}
	}
	return pr, nil
}

// withX returns y minus the mean or drift of par, in the work buffer.
func (pr *arimaProblem) withX(par []float64) []float64 {
	return pr.minusX(pr.work, pr.y, pr.xreg, par)
}

// minusX sets dst to y less par's mean or drift coefficient times xreg
// (nil: none) and returns it.
func (pr *arimaProblem) minusX(dst, y, xreg, par []float64) []float64 {
	copy(dst, y)
	if xreg != nil {
		c := par[pr.narma]
		for t := range dst {
			dst[t] -= c * xreg[t]
		}
	}
	return dst
}

// css is the CSS objective, half the log of the conditional mean square.
func (pr *arimaProblem) css(par []float64) float64 {
	pr.spec.expand(par, false, pr.mod.phi, pr.mod.theta)
	v := cssResidual(pr.withX(par), pr.spec, pr.mod.phi, pr.mod.theta, pr.ncond, pr.resid)
	switch {
	case math.IsInf(v, 1) || math.IsNaN(v):
		return math.MaxFloat64
	case v <= 0:
		return math.Inf(-1)
	}
	return 0.5 * math.Log(v)
}

// ml is the ML objective at transformed parameters: half the log of the
// profiled σ² plus half the mean log innovation variance, i.e.
// -loglik/n_used less a constant.
//
// With differencing it is the exact likelihood of the differenced series
// (the ARMA states alone), which is what the filter over the series with
// diffuse differencing states (mlDiffuse) tends to as their prior variance
// grows: R and statsforecast use the latter with a finite prior (ssKappa),
// which is d+D·m states more per step — about three times the work for a
// weekly season — and differs from the exact value by 1e-9 to 3e-4
// relative (the most where the series' level is large against its noise,
// as in co2). The search runs on this one; fitArima then reports the
// likelihood, AICc and residuals from the diffuse filter at the optimum,
// as statsforecast does. Without differencing states the prior is the
// stationary one, so the likelihood comes from the Chandrasekhar
// recursions (filterStationary), O(r) per observation instead of O(r²).
func (pr *arimaProblem) ml(par []float64) float64 {
	pr.spec.expand(par, true, pr.smod.phi, pr.smod.theta)
	if !pr.smod.init() {
		return math.Inf(1)
	}
	return mlValue(pr.smod.filterStationary(pr.minusX(pr.swork, pr.sy, pr.sxreg, par)))
}

// mlDiffuse is ml through the filter over the undifferenced series, the
// differencing states given the prior variance ssKappa (R's and
// statsforecast's likelihood).
func (pr *arimaProblem) mlDiffuse(par []float64) float64 {
	pr.spec.expand(par, true, pr.mod.phi, pr.mod.theta)
	if !pr.mod.init() {
		return math.Inf(1)
	}
	return mlValue(pr.mod.filter(pr.withX(par), nil))
}

// mlValue is the ML objective from a filter's sums.
func mlValue(ssq, sumlog float64, nu int) float64 {
	if nu == 0 {
		return math.Inf(1)
	}
	s2 := ssq / float64(nu)
	if !(s2 > 0) {
		return math.NaN()
	}
	return 0.5 * (math.Log(s2) + sumlog/float64(nu))
}

// cssEstimate returns the CSS estimates (R's and statsforecast's
// method="CSS", and CSS-ML's starting values) from zero ARMA coefficients
// and the mean or drift of a regression on the differenced series, and
// whether BFGS converged; when it did not, the starting values.
func (pr *arimaProblem) cssEstimate() ([]float64, bool) {
	init := append([]float64(nil), pr.init...)
	if pr.k == 0 {
		return init, true
	}
	x, _, conv := bfgs(pr.css, init, pr.scale, arimaCSSMaxIter, arimaCSSRelTol)
	if !conv {
		return init, false
	}
	return x, true
}

// arimaFit is one fitted model.
type arimaFit struct {
	spec arimaSpec
	// coef is the parameter vector (see narma), AR blocks as coefficients.
	coef              []float64
	loglik, aic, aicc float64
	sigma2            float64
	ic                float64 // aicc, or +Inf when the model is rejected
	converged         bool
	y                 []float64
	mod               *ssModel // filtered to the end of y
	minRoot           float64
}

// fitArima estimates spec on y as R's arima(method="CSS-ML") and
// statsforecast's myarima do: starting values from minimising the
// conditional sum of squares (cssEstimate), MA parts made invertible
// (maInvert), then BFGS on the exact Gaussian log-likelihood (of the
// differenced series, see ml) with the AR blocks reparameterised through
// partrans (always stationary), MA parts made invertible again, then the
// log-likelihood as statsforecast's, the AICc (σ² counted as a parameter) and
// σ² = Σe²/(n-d-D·m-k), the sum over the standardised innovations. The
// model is rejected (ic = +Inf) when the CSS AR estimates are not
// stationary, or when a root of the fitted AR or MA polynomial lies within
// 1.01 of the unit circle (checked as statsforecast does: only when a
// coefficient beyond the first is non-zero).
func fitArima(y []float64, spec arimaSpec) (*arimaFit, error) {
	pr, err := newArimaProblem(y, spec)
	if err != nil {
		return nil, err
	}
	spec = pr.spec
	n, nd := len(y), spec.d+spec.D*spec.m
	f := &arimaFit{spec: spec, y: y, ic: math.Inf(1), mod: pr.mod}
	init, _ := pr.cssEstimate()
	// Starting values in the transformed space, MA parts invertible.
	o := spec.p + spec.q
	maInvert(init[spec.p : spec.p+spec.q])
	maInvert(init[o+spec.P : pr.narma])
	invpartrans(append([]float64(nil), init[:spec.p]...), init[:spec.p])
	invpartrans(append([]float64(nil), init[o:o+spec.P]...), init[o:o+spec.P])
	for _, v := range init {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return f, errNonStationary
		}
	}
	par, fun := init, 0.0
	f.converged = true
	if pr.k > 0 {
		par, _, f.converged = bfgs(pr.ml, init, pr.scale, arimaMaxIter, 0)
	}
	fun = pr.mlDiffuse(par)
	if math.IsNaN(fun) || math.IsInf(fun, 0) {
		return f, fmt.Errorf("%s: likelihood is %v", spec, fun)
	}
	coef := append([]float64(nil), par...)
	partrans(par[:spec.p], coef[:spec.p])
	partrans(par[o:o+spec.P], coef[o:o+spec.P])
	maInvert(coef[spec.p : spec.p+spec.q])
	maInvert(coef[o+spec.P : pr.narma])
	f.coef = coef

	nUsed := float64(n - nd)
	value := 2*nUsed*fun + nUsed + nUsed*math.Log(2*math.Pi)
	f.loglik = -0.5 * value
	f.aic = value + 2*float64(pr.k+1)
	npar := float64(pr.k + 1)
	if nUsed-npar-1 != 0 {
		f.aicc = f.aic + 2*npar*(npar+1)/(nUsed-npar-1)
	} else {
		f.aicc = math.Inf(1)
	}

	// Final pass: residuals, σ² and the state to forecast from.
	mod := pr.mod
	spec.expand(coef, false, mod.phi, mod.theta)
	if !mod.init() {
		return f, fmt.Errorf("%s: fitted AR part is not stationary", spec)
	}
	mod.filter(pr.withX(coef), pr.resid)
	ss := 0.0
	for _, e := range pr.resid {
		ss += e * e
	}
	f.sigma2 = ss / (nUsed - npar + 1)
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
	s := make([]float64, last+1)
	for i := range s {
		s[i] = sign * c[i]
	}
	roots, ok := polyRoots(s)
	if !ok {
		return 0
	}
	m := 2.0
	for _, z := range roots {
		m = math.Min(m, cmplx.Abs(z))
	}
	return m
}

// polyRoots returns the roots of 1 + c₁z + … + c_k z^k (c_k ≠ 0): the
// reciprocals of the eigenvalues of the companion matrix of
// z^k + c₁z^{k-1} + … + c_k.
func polyRoots(c []float64) ([]complex128, bool) {
	k := len(c)
	comp := mat.NewDense(k, k, nil)
	for j := range k {
		comp.Set(0, j, -c[j])
	}
	for i := 1; i < k; i++ {
		comp.Set(i, i-1, 1)
	}
	var eig mat.Eigen
	if !eig.Factorize(comp, mat.EigenNone) {
		return nil, false
	}
	ev := eig.Values(nil)
	roots := make([]complex128, 0, k)
	for _, v := range ev {
		if v == 0 {
			return nil, false
		}
		roots = append(roots, 1/v)
	}
	return roots, true
}

// maInvert replaces the roots of the MA polynomial 1 + θ₁z + … + θ_qz^q
// inside the unit circle by their reciprocals (R's maInvert): the exact
// likelihood, with σ² profiled out, and the forecasts are unchanged, and
// the MA part becomes invertible. statsforecast 2.1.1's maInvert returns
// its input unchanged (it takes the first rather than the last non-zero
// coefficient as the order), so it keeps non-invertible estimates and then
// rejects those models by the root check.
func maInvert(ma []float64) {
	q0 := 0
	for i, v := range ma {
		if v != 0 {
			q0 = i + 1
		}
	}
	if q0 == 0 {
		return
	}
	roots, ok := polyRoots(ma[:q0])
	if !ok {
		return
	}
	inside := false
	for _, z := range roots {
		if cmplx.Abs(z) < 1 {
			inside = true
		}
	}
	if !inside {
		return
	}
	if q0 == 1 {
		ma[0] = 1 / ma[0]
		return
	}
	x := []complex128{1}
	for _, z := range roots {
		if cmplx.Abs(z) < 1 {
			z = 1 / z
		}
		next := make([]complex128, len(x)+1)
		copy(next, x)
		for i, v := range x {
			next[i+1] -= v / z
		}
		x = next
	}
	for i := range q0 {
		ma[i] = real(x[i+1])
	}
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
	pr, err := newArimaProblem(y, spec)
	if err != nil {
		return math.NaN()
	}
	pr.spec.expand(coef, false, pr.mod.phi, pr.mod.theta)
	if !pr.mod.init() {
		return math.NaN()
	}
	ssq, sumlog, nu := pr.mod.filter(pr.withX(coef), nil)
	fun := 0.5 * (math.Log(ssq/float64(nu)) + sumlog/float64(nu))
	nUsed := float64(len(y) - spec.d - spec.D*spec.m)
	return -0.5 * (2*nUsed*fun + nUsed + nUsed*math.Log(2*math.Pi))
}
