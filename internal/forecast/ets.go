package forecast

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// ETS is automatic exponential smoothing in the innovations state space form
// of Hyndman et al. (2008), as R's forecast::ets and statsforecast's AutoETS
// do it: every admissible combination of additive or multiplicative error,
// no, additive or additive-damped trend and no, additive or multiplicative
// season (multiplicative error or season only for positive data; additive
// error never with a multiplicative season) is fitted by maximum likelihood
// and the one with the lowest AICc wins.
//
// Each fit starts from statsforecast's initial states (classical
// decomposition, or a one-harmonic Fourier regression under three seasons,
// then a linear fit of the first max(10, 2m) adjusted values) and initial
// smoothing parameters, and runs Nelder-Mead (gonum/optimize) on the
// parameters and initial states together, minimising n·log(Σe²) (+ 2Σlog|ŷ|
// for multiplicative error). Parameters outside R's "both" bounds — usual
// (1e-4 ≤ β ≤ α ≤ 0.9999, γ ≤ 1-α, 0.8 ≤ φ ≤ 0.98) and admissible (the
// characteristic roots of the seasonal models inside the unit circle) — get
// an infinite objective.
//
// Seasonality is ignored for m > 24, as in R. Intervals are analytical for
// the linear (class 1) and multiplicative-error linear (class 2) models,
// Hyndman et al. (2008) chapter 6, and simulated (2000 paths, fixed seed)
// for multiplicative seasonality (class 3).
//
// When the chosen model's optimiser hit its evaluation limit, the best
// converged model is used instead; when none converged, simple exponential
// smoothing, and when even that fails, Naive. Result.Note says so.
func ETS(y []float64, m, h int, levels []float64) (*Result, error) {
	n := len(y)
	if n < 7 {
		return nil, tooShort("ETS", n, 7)
	}
	note := ""
	if m > 24 {
		note = fmt.Sprintf("season length %d > 24: seasonality ignored", m)
		m = 1
	}
	if isConstant(y) {
		r := &Result{Model: "ETS(A,N,N)", AICc: math.NaN(), Mean: repeat(y[n-1], h), Note: note}
		normalIntervals(r, levels, make([]float64, h))
		return r, nil
	}
	positive := slices.Min(y) > 0
	var best, bestConv *etsFit
	for _, spec := range etsModels(m, positive) {
		f := fitETS(y, m, spec)
		if f == nil {
			continue
		}
		if best == nil || f.aicc < best.aicc {
			best = f
		}
		if f.converged && (bestConv == nil || f.aicc < bestConv.aicc) {
			bestConv = f
		}
	}
	if best == nil {
		return nil, tooShort("ETS", n, 7)
	}
	if !best.converged {
		if bestConv != nil {
			note = joinNote(note, fmt.Sprintf("%s did not converge; used %s, the best model that did", best.spec, bestConv.spec))
			best = bestConv
		} else {
			ses := fitETS(y, 1, etsSpec{err: 'A', trend: 'N', season: 'N'})
			if ses == nil || math.IsInf(ses.aicc, 0) {
				r, err := Naive(y, m, h, levels)
				if err != nil {
					return nil, err
				}
				r.Note = joinNote(note, "no ETS model could be fitted; fell back to Naive")
				return r, nil
			}
			note = joinNote(note, fmt.Sprintf("no ETS model converged; fell back to %s", ses.spec))
			best = ses
		}
	}
	r := best.forecast(h, levels)
	r.Note = joinNote(r.Note, note)
	return r, nil
}

func isConstant(y []float64) bool {
	for _, v := range y[1:] {
		if v != y[0] {
			return false
		}
	}
	return true
}

// etsSpec names an ETS model: error 'A'/'M', trend 'N'/'A' (damped or not),
// season 'N'/'A'/'M'.
type etsSpec struct {
	err, trend, season byte
	damped             bool
}

func (s etsSpec) String() string {
	t := string(s.trend)
	if s.damped {
		t += "d"
	}
	return fmt.Sprintf("ETS(%c,%s,%c)", s.err, t, s.season)
}

// etsModels lists the candidate models in statsforecast's order.
func etsModels(m int, positive bool) []etsSpec {
	var out []etsSpec
	for _, e := range []byte{'A', 'M'} {
		for _, t := range []byte{'N', 'A'} {
			for _, s := range []byte{'N', 'A', 'M'} {
				for _, d := range []bool{true, false} {
					switch {
					case t == 'N' && d,
						e == 'A' && s == 'M',
						!positive && (e == 'M' || s == 'M'),
						s != 'N' && m == 1:
						continue
					}
					out = append(out, etsSpec{err: e, trend: t, season: s, damped: d})
				}
			}
		}
	}
	return out
}

// Default bounds of the smoothing parameters (R's ets and statsforecast).
var (
	etsLower = [4]float64{1e-4, 1e-4, 1e-4, 0.8}
	etsUpper = [4]float64{0.9999, 0.9999, 0.9999, 0.98}
)

// etsFit is one fitted ETS model.
type etsFit struct {
	spec                    etsSpec
	m                       int
	alpha, beta, gamma, phi float64
	l, b                    float64   // final level and slope
	s                       []float64 // final seasonal states, s[0] most recent
	lik, aicc, sigma2       float64
	converged               bool
}

// etsModel evaluates one model over y from a parameter vector.
type etsModel struct {
	spec etsSpec
	m    int
	y    []float64
	e    []float64
	s    []float64
	olds []float64
	// roots turns on the characteristic-root part of the admissibility test
	// inside the objective.
	roots bool
}

// unpack splits the optimiser's vector into smoothing parameters and the
// initial state (l0, b0, s[0..m-1], the last seasonal state completing the
// normalisation).
func (md *etsModel) unpack(p []float64) (alpha, beta, gamma, phi, l, b float64, ok bool) {
	j := 0
	alpha = p[j]
	j++
	phi = 1
	if md.spec.trend != 'N' {
		beta = p[j]
		j++
	}
	if md.spec.season != 'N' {
		gamma = p[j]
		j++
	}
	if md.spec.damped {
		phi = p[j]
		j++
	}
	l = p[j]
	j++
	if md.spec.trend != 'N' {
		b = p[j]
		j++
	}
	if md.spec.season != 'N' {
		sum := 0.0
		for i := 0; i < md.m-1; i++ {
			md.s[i] = p[j+i]
			sum += p[j+i]
		}
		if md.spec.season == 'M' {
			md.s[md.m-1] = float64(md.m) - sum
			if slices.Min(md.s[:md.m]) < 0 {
				return 0, 0, 0, 0, 0, 0, false
			}
		} else {
			md.s[md.m-1] = -sum
		}
	}
	return alpha, beta, gamma, phi, l, b, true
}

// admissibleParams applies R's "both" bounds: the usual region and the
// admissible (forecastable) region.
func (md *etsModel) admissibleParams(alpha, beta, gamma, phi float64) bool {
	if alpha < etsLower[0] || alpha > etsUpper[0] {
		return false
	}
	if md.spec.trend != 'N' && (beta < etsLower[1] || beta > alpha || beta > etsUpper[1]) {
		return false
	}
	if md.spec.season != 'N' && (gamma < etsLower[2] || gamma > 1-alpha || gamma > etsUpper[2]) {
		return false
	}
	if md.spec.damped && (phi < etsLower[3] || phi > etsUpper[3]) {
		return false
	}
	return admissible(alpha, beta, gamma, phi, md.m, md.spec.trend != 'N', md.spec.season != 'N', md.roots)
}

// admissible is the forecastability condition of Hyndman et al. (2008)
// chapter 10, as in R's ets.
//
// The characteristic-root test needs an eigenvalue decomposition and is
// skipped when roots is false.
func admissible(alpha, beta, gamma, phi float64, m int, trend, season, roots bool) bool {
	if !trend {
		beta = 0
	}
	if !season {
		if alpha < 1-1/phi || alpha > 1+1/phi {
			return false
		}
		if trend && (beta < alpha*(phi-1) || beta > (1+phi)*(2-alpha)) {
			return false
		}
		return true
	}
	if m <= 1 {
		return true
	}
	fm := float64(m)
	if gamma < math.Max(1-1/phi-alpha, 0) || gamma > 1+1/phi-alpha {
		return false
	}
	if alpha < 1-1/phi-gamma*(1-fm+phi+phi*fm)/(2*phi*fm) {
		return false
	}
	if beta < -(1-phi)*(gamma/fm+alpha) {
		return false
	}
	if !roots {
		return true
	}
	// Characteristic polynomial, coefficients from the constant term up.
	p := make([]float64, m+2)
	p[0] = phi * (1 - alpha - gamma)
	p[1] = alpha + beta - alpha*phi + gamma - 1
	for i := 2; i < m; i++ {
		p[i] = alpha + beta - alpha*phi
	}
	p[m] = alpha + beta - phi
	p[m+1] = 1
	return maxRootModulus(p) <= 1+1e-10
}

// maxRootModulus returns the largest root modulus of the monic polynomial
// with coefficients p (constant first), from its companion matrix.
func maxRootModulus(p []float64) float64 {
	d := len(p) - 1
	c := mat.NewDense(d, d, nil)
	for i := 0; i < d; i++ {
		c.Set(0, i, -p[d-1-i]/p[d])
		if i > 0 {
			c.Set(i, i-1, 1)
		}
	}
	var eig mat.Eigen
	if !eig.Factorize(c, mat.EigenNone) {
		return math.Inf(1)
	}
	mx := 0.0
	for _, v := range eig.Values(nil) {
		mx = math.Max(mx, math.Hypot(real(v), imag(v)))
	}
	return mx
}

// run filters y through the model from the given parameters and initial
// states (md.s), leaving one-step errors in md.e and the final states in l,
// b, md.s. It returns the likelihood criterion n·log(Σe²) (+2Σlog|ŷ| for
// multiplicative error). The seasonal states live in a ring indexed by
// season position (t mod m), so an update overwrites one slot instead of
// shifting the vector.
func (md *etsModel) run(alpha, beta, gamma, phi, l, b float64) (lik, lOut, bOut float64) {
	const tol = 1e-10
	m, sp := md.m, md.spec
	ring := md.olds
	for j := range m {
		ring[m-1-j] = md.s[j]
	}
	var sse, logf float64
	prod := 1.0
	pos := 0
	for i, yi := range md.y {
		si := ring[pos]
		// one-step forecast
		q, phib := l, 0.0
		if sp.trend == 'A' {
			phib = phi * b
			q = l + phib
		}
		f := q
		switch sp.season {
		case 'A':
			f += si
		case 'M':
			f *= si
		}
		if sp.err == 'A' {
			md.e[i] = yi - f
		} else {
			f0 := f
			if math.Abs(f0) < tol {
				f0 += tol
			}
			md.e[i] = (yi - f) / f0
			// Σlog|f| as the log of products of 8 (one log per 8 steps).
			af := math.Abs(f)
			if af == 0 {
				af = 1e-8
			}
			prod *= af
			if i%8 == 7 {
				logf += math.Log(prod)
				prod = 1
			}
		}
		sse += md.e[i] * md.e[i]
		// state update
		oldl := l
		p := yi
		switch sp.season {
		case 'A':
			p = yi - si
		case 'M':
			if math.Abs(si) < tol {
				p = 1e10
			} else {
				p = yi / si
			}
		}
		l = q + alpha*(p-q)
		if sp.trend == 'A' {
			b = phib + (beta/alpha)*(l-oldl-phib)
		}
		if sp.season != 'N' {
			var t float64
			if sp.season == 'A' {
				t = yi - q
			} else if math.Abs(q) < tol {
				t = 1e10
			} else {
				t = yi / q
			}
			ring[pos] = si + gamma*(t-si)
			pos++
			if pos == m {
				pos = 0
			}
		}
	}
	logf += math.Log(prod)
	if sp.season != 'N' {
		// back to s[0] = most recent: the last written slot is pos-1
		for j := range m {
			md.s[j] = ring[((pos-1-j)%m+m)%m]
		}
	}
	n := float64(len(md.y))
	if sse > 0 {
		lik = n * math.Log(sse)
	} else {
		lik = n * math.Log(sse+1e-8)
	}
	if sp.err == 'M' {
		lik += 2 * logf
	}
	return lik, l, b
}

func (md *etsModel) objective(p []float64) float64 {
	alpha, beta, gamma, phi, l, b, ok := md.unpack(p)
	if !ok || !md.admissibleParams(alpha, beta, gamma, phi) {
		return math.Inf(1)
	}
	lik, _, _ := md.run(alpha, beta, gamma, phi, l, b)
	if math.IsNaN(lik) {
		return math.Inf(1)
	}
	return math.Max(lik, -1e10)
}

// fitETS fits one model; nil when the series is too short for it or no
// finite likelihood was found.
func fitETS(y []float64, m int, spec etsSpec) *etsFit {
	if spec.season == 'N' {
		m = 1
	}
	n := len(y)
	npars := 2
	if spec.trend != 'N' {
		npars += 2
	}
	if spec.season != 'N' {
		npars += 2
	}
	if spec.damped {
		npars++
	}
	if n <= npars+4 {
		return nil
	}
	x0 := etsInitParams(spec, m)
	init := etsInitState(y, m, spec)
	if init == nil {
		return nil
	}
	p0 := append(x0, init...)
	if len(p0) >= n-1 {
		return nil
	}
	md := &etsModel{spec: spec, m: m, y: y, e: make([]float64, n), s: make([]float64, max(m, 1)), olds: make([]float64, max(m, 1))}
	step := etsSteps(spec, p0, len(x0))
	// The initial point must be feasible for the simplex to make progress.
	md.roots = true
	feasible := !math.IsInf(md.objective(p0), 1)
	md.roots = false
	if !feasible {
		return nil
	}
	// The root test is costly (an eigendecomposition per evaluation), so the
	// search runs without it and is repeated with it only when its optimum
	// turns out not to be admissible.
	maxEval := etsEvalBudget(len(p0))
	p, lik, converged := nmRestarts(md.objective, p0, step, maxEval)
	alpha, beta, gamma, phi, l, b, _ := md.unpack(p)
	if md.spec.season != 'N' && !admissible(alpha, beta, gamma, phi, m, spec.trend != 'N', true, true) {
		md.roots = true
		if math.IsInf(md.objective(p0), 1) {
			return nil
		}
		p, lik, converged = nmRestarts(md.objective, p0, step, maxEval)
		alpha, beta, gamma, phi, l, b, _ = md.unpack(p)
	}
	if math.IsInf(lik, 0) || math.IsNaN(lik) {
		return nil
	}
	lik, l, b = md.run(alpha, beta, gamma, phi, l, b)
	k := float64(len(p) + 1)
	fn := float64(n)
	aic := lik + 2*k
	sse := 0.0
	for _, v := range md.e {
		sse += v * v
	}
	f := &etsFit{
		spec: spec, m: m, alpha: alpha, beta: beta, gamma: gamma, phi: phi,
		l: l, b: b, s: append([]float64(nil), md.s[:m]...),
		lik: lik, aicc: aic + 2*k*(k+1)/(fn-k-1), sigma2: sse / (fn - k - 1),
		converged: converged,
	}
	if !spec.damped {
		f.phi = 1
	}
	return f
}

// etsSteps sizes the initial simplex: toward the interior for the
// smoothing parameters (alpha up, beta up to half way to alpha, gamma up,
// phi down) and 5% of each initial state (1e-4 for a zero one).
func etsSteps(spec etsSpec, p0 []float64, npar int) []float64 {
	step := make([]float64, len(p0))
	j := 0
	step[j] = nmParStep
	j++
	if spec.trend != 'N' {
		step[j] = 0.5 * (p0[0] - p0[j])
		j++
	}
	if spec.season != 'N' {
		step[j] = nmParStep / 2
		j++
	}
	if spec.damped {
		step[j] = -0.05
	}
	for i := npar; i < len(p0); i++ {
		if p0[i] != 0 {
			step[i] = 0.05 * math.Abs(p0[i])
		} else {
			step[i] = 1e-4
		}
	}
	return step
}

// nmRestarts runs Nelder-Mead and restarts it from its optimum with a fresh
// simplex while that still improves the objective (at most nmMaxRestarts
// times): a single simplex often stalls early in these 5-30 dimensional
// problems.
func nmRestarts(f func([]float64) float64, x0, step []float64, maxEval int) ([]float64, float64, bool) {
	x, fx, conv := nelderMeadConv(f, x0, step, maxEval, etsTol)
	for range nmMaxRestarts {
		s := make([]float64, len(step))
		for i := range s {
			s[i] = step[i] / 2
		}
		x2, f2, c2 := nelderMeadConv(f, x, s, maxEval, etsTol)
		if !(f2 < fx-1e-3) {
			break
		}
		x, fx, conv = x2, f2, c2
	}
	return x, fx, conv
}

// etsEvalBudget is the Nelder-Mead evaluation limit for a problem of dim
// dimensions (a variable so tests can force non-convergence).
var etsEvalBudget = func(dim int) int { return 1000 + 500*dim }

// etsTol is the Nelder-Mead tolerance on the objective, n·log(Σe²)+...,
// a -2·log-likelihood up to a constant, where 1e-3 is immaterial.
const etsTol = 1e-3

// etsInitParams returns the starting smoothing parameters (R's initparam).
func etsInitParams(spec etsSpec, m int) []float64 {
	alpha := etsLower[0] + 0.2*(etsUpper[0]-etsLower[0])/float64(m)
	if alpha > 1 || alpha < 0 {
		alpha = etsLower[0] + 2e-3
	}
	x := []float64{alpha}
	if spec.trend != 'N' {
		up := math.Min(etsUpper[1], alpha)
		beta := etsLower[1] + 0.1*(up-etsLower[1])
		if beta < 0 || beta > alpha {
			beta = alpha - 1e-3
		}
		x = append(x, beta)
	}
	if spec.season != 'N' {
		up := math.Min(etsUpper[2], 1-alpha)
		gamma := etsLower[2] + 0.05*(up-etsLower[2])
		if gamma < 0 || gamma > 1-alpha {
			gamma = 1 - alpha - 1e-3
		}
		x = append(x, gamma)
	}
	if spec.damped {
		x = append(x, etsLower[3]+0.99*(etsUpper[3]-etsLower[3]))
	}
	return x
}

// etsInitState returns l0, b0 and the first m-1 seasonal states
// (statsforecast's initstate).
func etsInitState(y []float64, m int, spec etsSpec) []float64 {
	n := len(y)
	ysa := y
	var seas []float64
	if spec.season != 'N' {
		seasonal := make([]float64, n)
		if n < 3*m {
			x := mat.NewDense(n, 4, nil)
			for t := range n {
				tt := float64(t + 1)
				x.Set(t, 0, 1)
				x.Set(t, 1, tt)
				x.Set(t, 2, math.Sin(2*math.Pi*tt/float64(m)))
				x.Set(t, 3, math.Cos(2*math.Pi*tt/float64(m)))
			}
			var coef mat.VecDense
			if err := coef.SolveVec(x, mat.NewVecDense(n, append([]float64(nil), y...))); err != nil {
				return nil
			}
			for t := range n {
				tr := coef.AtVec(0) + coef.AtVec(1)*float64(t+1)
				if spec.season == 'A' {
					seasonal[t] = y[t] - tr
				} else {
					seasonal[t] = y[t] / tr
				}
			}
		} else {
			fig := seasonalIndices(y, m, spec.season == 'M')
			for t := range n {
				seasonal[t] = fig[t%m]
			}
		}
		seas = make([]float64, m-1)
		for i := range seas {
			seas[i] = seasonal[m-1-i]
		}
		ysa = make([]float64, n)
		if spec.season == 'A' {
			for t := range n {
				ysa[t] = y[t] - seasonal[t]
			}
		} else {
			sum := 0.0
			for i := range seas {
				seas[i] = math.Max(seas[i], 1e-2)
				sum += seas[i]
			}
			if sum > float64(m) {
				for i := range seas {
					seas[i] /= sum + 1e-2*float64(len(seas))
				}
			}
			for t := range n {
				ysa[t] = y[t] / math.Max(seasonal[t], 1e-2)
			}
		}
	}
	maxn := min(max(10, 2*m), n)
	if spec.trend == 'N' {
		return append([]float64{mean(ysa[:maxn])}, seas...)
	}
	// least squares line through (1..maxn, ysa[:maxn])
	var st, sy, stt, sty float64
	for t := range maxn {
		tt := float64(t + 1)
		st += tt
		sy += ysa[t]
		stt += tt * tt
		sty += tt * ysa[t]
	}
	fn := float64(maxn)
	b := (fn*sty - st*sy) / (fn*stt - st*st)
	l := (sy - b*st) / fn
	if math.Abs(l+b) < 1e-8 {
		l *= 1 + 1e-3
		b *= 1 - 1e-3
	}
	return append([]float64{l, b}, seas...)
}

// point returns the h-step point forecasts from the final state.
func (f *etsFit) point(h int) []float64 {
	out := make([]float64, h)
	phistar := f.phi
	for i := range out {
		v := f.l
		if f.spec.trend == 'A' {
			v += phistar * f.b
		}
		j := ((f.m-1-i)%f.m + f.m) % f.m
		switch f.spec.season {
		case 'A':
			v += f.s[j]
		case 'M':
			v *= f.s[j]
		}
		out[i] = v
		phistar += math.Pow(f.phi, float64(i+2))
	}
	return out
}

// cvals are the coefficients c_j, j = 1..h-1, of the h-step variance of the
// linear models: alpha + beta(phi + ... + phi^j) + gamma[j%m == 0].
func (f *etsFit) cvals(h int) []float64 {
	c := make([]float64, h)
	sumPhi := 0.0
	for j := 1; j <= h; j++ {
		sumPhi += math.Pow(f.phi, float64(j))
		v := f.alpha
		if f.spec.trend == 'A' {
			v += f.beta * sumPhi
		}
		if f.spec.season != 'N' && j%f.m == 0 {
			v += f.gamma
		}
		c[j-1] = v
	}
	return c
}

func (f *etsFit) forecast(h int, levels []float64) *Result {
	mu := f.point(h)
	r := &Result{Model: f.spec.String(), AICc: f.aicc, Mean: mu}
	sd := make([]float64, h)
	c := f.cvals(h)
	switch {
	case f.spec.err == 'A': // class 1
		acc := 1.0
		for i := range sd {
			if i > 0 {
				acc += c[i-1] * c[i-1]
			}
			sd[i] = math.Sqrt(f.sigma2 * acc)
		}
	case f.spec.season != 'M': // class 2
		theta := make([]float64, h)
		for k := range theta {
			s := 0.0
			for j := 0; j < k; j++ {
				s += c[j] * c[j] * theta[k-1-j]
			}
			theta[k] = mu[k]*mu[k] + f.sigma2*s
			sd[k] = math.Sqrt(math.Max((1+f.sigma2)*theta[k]-mu[k]*mu[k], 0))
		}
	default: // class 3
		f.simulatedIntervals(r, levels)
		return r
	}
	normalIntervals(r, levels, sd)
	return r
}

// simulatedIntervals sets intervals from the quantiles of 2000 simulated
// sample paths (fixed seed, so results are reproducible).
func (f *etsFit) simulatedIntervals(r *Result, levels []float64) {
	const paths = 2000
	h := len(r.Mean)
	rng := rand.New(rand.NewPCG(1, 2))
	sd := math.Sqrt(f.sigma2)
	sims := make([][]float64, h)
	for i := range sims {
		sims[i] = make([]float64, paths)
	}
	s := make([]float64, f.m)
	olds := make([]float64, f.m)
	for p := range paths {
		l, b := f.l, f.b
		copy(s, f.s)
		for i := range h {
			q := l
			if f.spec.trend == 'A' {
				q += f.phi * b
			}
			yhat := q * s[f.m-1]
			e := rng.NormFloat64() * sd
			yv := yhat * (1 + e)
			sims[i][p] = yv
			oldl := l
			l = q * (1 + f.alpha*e)
			if f.spec.trend == 'A' {
				b = f.phi*b + (f.beta/f.alpha)*(l-oldl-f.phi*b)
			}
			copy(olds, s)
			s[0] = olds[f.m-1] * (1 + f.gamma*e)
			copy(s[1:], olds[:f.m-1])
		}
	}
	r.Lower = make(map[float64][]float64, len(levels))
	r.Upper = make(map[float64][]float64, len(levels))
	for _, l := range levels {
		r.Lower[l], r.Upper[l] = make([]float64, h), make([]float64, h)
	}
	for i := range h {
		slices.Sort(sims[i])
		for _, l := range levels {
			r.Lower[l][i] = quantile(sims[i], 0.5-l/200)
			r.Upper[l][i] = quantile(sims[i], 0.5+l/200)
		}
	}
}
