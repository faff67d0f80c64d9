package forecast

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// arimaRefCase is one series of testdata/arima_reference.json
// (gen_reference_arima.py).
type arimaRefCase struct {
	Name string    `json:"name"`
	M    int       `json:"m"`
	H    int       `json:"h"`
	Y    []float64 `json:"y"`
	// Tests holds the differencing statsforecast's auto_arima_f chooses.
	Tests struct {
		D        int      `json:"D"`
		Strength *float64 `json:"strength"`
		LowerD   int      `json:"d"`
		KPSS     float64  `json:"kpss"`
	} `json:"tests"`
	// Auto is statsforecast 2.1.1's AutoARIMA as shipped; AutoML the same
	// with its likelihood bug fixed (see gen_reference_arima.py).
	Auto   arimaRefModel   `json:"auto"`
	AutoML arimaRefModel   `json:"auto_ml"`
	Fixed  []arimaRefModel `json:"fixed"`
}

type arimaRefModel struct {
	Model    string  `json:"model"`
	Orders   []int   `json:"orders"` // p, d, q, P, D, Q, m
	Constant bool    `json:"constant"`
	AICc     float64 `json:"aicc"`
	Loglik   float64 `json:"loglik"`
	// LoglikExact is the exact log-likelihood at Coef from a fresh model.
	LoglikExact float64              `json:"loglik_exact"`
	Sigma2      float64              `json:"sigma2"`
	Coef        map[string]float64   `json:"coef"`
	Mean        []float64            `json:"mean"`
	Lower       map[string][]float64 `json:"lower"`
	Upper       map[string][]float64 `json:"upper"`
	CSS         map[string]float64   `json:"css"` // method="CSS" coefficients
	ML          *arimaRefModel       `json:"ml"`  // the fit with the likelihood bug fixed
}

func (m arimaRefModel) spec() arimaSpec {
	o := m.Orders
	return arimaSpec{p: o[0], d: o[1], q: o[2], P: o[3], D: o[4], Q: o[5], m: o[6], constant: m.Constant}
}

func (c arimaRefCase) train() []float64 { return c.Y[:len(c.Y)-c.H] }

func loadArimaReference(t testing.TB) []arimaRefCase {
	t.Helper()
	b, err := os.ReadFile("testdata/arima_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []arimaRefCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref.Cases
}

// maxRelErr is the largest |got-want|/max(|want|,1e-8) over the series.
func maxRelErr(got, want []float64) float64 {
	e := 0.0
	for i := range want {
		e = math.Max(e, relErr(got[i], want[i]))
	}
	return e
}

// widths returns upper-lower per step at level ls.
func refWidths(m arimaRefModel, ls string) []float64 {
	w := make([]float64, len(m.Mean))
	for i := range w {
		w[i] = m.Upper[ls][i] - m.Lower[ls][i]
	}
	return w
}

// gotWidths returns upper-lower per step at level l.
func gotWidths(r *Result, l float64) []float64 {
	w := make([]float64, len(r.Mean))
	for i := range w {
		w[i] = r.Upper[l][i] - r.Lower[l][i]
	}
	return w
}

// vector returns the reference coefficients in fitArima's order.
func (m arimaRefModel) vector() []float64 {
	s := m.spec()
	var v []float64
	for _, blk := range []struct {
		name string
		n    int
	}{{"ar", s.p}, {"ma", s.q}, {"sar", s.P}, {"sma", s.Q}} {
		for i := 1; i <= blk.n; i++ {
			v = append(v, m.Coef[blk.name+strconv.Itoa(i)])
		}
	}
	if c, ok := m.Coef["intercept"]; ok {
		v = append(v, c)
	}
	if c, ok := m.Coef["drift"]; ok {
		v = append(v, c)
	}
	return v
}

// TestArimaUnitRootChoices: the seasonal strength (STL) and the KPSS
// statistic agree with statsforecast/statsmodels to 1e-6, and the
// differencing chosen from them, D and d, equals statsforecast's on every
// series.
func TestArimaUnitRootChoices(t *testing.T) {
	for _, c := range loadArimaReference(t) {
		t.Run(c.Name, func(t *testing.T) {
			y := c.train()
			s := newArimaSearch(y, c.M)
			if s.D != c.Tests.D || s.d != c.Tests.LowerD {
				t.Errorf("d=%d D=%d, statsforecast d=%d D=%d", s.d, s.D, c.Tests.LowerD, c.Tests.D)
			}
			if c.Tests.Strength != nil {
				if got := seasStrength(y, c.M); math.Abs(got-*c.Tests.Strength) > 1e-6 {
					t.Errorf("seasonal strength %.9f, want %.9f", got, *c.Tests.Strength)
				}
			}
			dx := y
			if c.Tests.D > 0 {
				dx = difference(y, 0, 1, c.M)
			}
			lags := int(math.Floor(3 * math.Sqrt(float64(len(dx))) / 13))
			if got := kpss(dx, lags); relErr(got, c.Tests.KPSS) > 1e-6 {
				t.Errorf("KPSS %.9f, want %.9f", got, c.Tests.KPSS)
			}
		})
	}
}

// TestArimaLikelihoodMatchesStatsforecast evaluates our exact likelihood
// (Kalman filter, stationary prior covariance, diffuse differencing states
// with kappa 1e6, observations with variance ≥ 1e4 left out) at every
// reference fit's coefficients: it must equal statsforecast's own filter
// on a fresh model to 1e-8 relative (measured: ≤ 3e-10).
func TestArimaLikelihoodMatchesStatsforecast(t *testing.T) {
	n := 0
	for _, c := range loadArimaReference(t) {
		models := []arimaRefModel{c.Auto, c.AutoML}
		for _, f := range c.Fixed {
			models = append(models, f, *f.ML)
		}
		for _, want := range models {
			n++
			got := loglikAt(c.train(), want.spec(), want.vector())
			if e := relErr(got, want.LoglikExact); !(e <= 1e-8) {
				t.Errorf("%s %s: loglik %.10f, statsforecast %.10f (relative error %.2g)", c.Name, want.Model, got, want.LoglikExact, e)
			}
		}
	}
	if n < 80 {
		t.Errorf("compared %d likelihoods, want at least 80", n)
	}
}

// TestArimaCSSMatchesStatsforecast compares the CSS step (CSS-ML's starting
// values) with statsforecast's method="CSS". Both minimise the same
// objective by BFGS from the same start, so our conditional sum of squares
// must be no worse than statsforecast's (half-log scale, tolerance 1e-6)
// on all but 2 of the 41 fits (measured: 1 — unemp ARIMA(2,1,2)(1,0,1)[4]
// with drift, where the two BFGS stop in different local minima), and
// where both reach the same value (within 1e-7) the ARMA coefficients must
// agree to 1e-4 (measured: 1e-6) and a mean or drift to 1e-5 relative or
// 3e-3 absolute (measured: 3.1e-3 on co2's mean of 423, a flat direction).
func TestArimaCSSMatchesStatsforecast(t *testing.T) {
	worse, total, maxAbsDiff := 0, 0, 0.0
	for _, c := range loadArimaReference(t) {
		for _, want := range c.Fixed {
			total++
			pr, err := newArimaProblem(c.train(), want.spec())
			if err != nil {
				t.Fatal(err)
			}
			got, _ := pr.cssEstimate()
			ref := arimaRefModel{Orders: want.Orders, Constant: want.Constant, Coef: want.CSS}.vector()
			fGot, fRef := pr.css(got), pr.css(ref)
			if fGot > fRef+1e-6 {
				worse++
				t.Logf("%s %s: CSS objective %.7f, statsforecast %.7f", c.Name, want.Model, fGot, fRef)
				continue
			}
			if math.Abs(fGot-fRef) < 1e-7 {
				for i := range ref {
					if i != len(ref)-1 || !want.Constant {
						maxAbsDiff = math.Max(maxAbsDiff, math.Abs(got[i]-ref[i]))
					}
					d := math.Abs(got[i] - ref[i])
					if isConst := want.Constant && i == len(ref)-1; (!isConst && d > 1e-4) || (isConst && d > 3e-3 && d > 1e-5*math.Abs(ref[i])) {
						t.Errorf("%s %s: CSS coefficient %d = %.6f, statsforecast %.6f", c.Name, want.Model, i, got[i], ref[i])
					}
				}
			}
		}
	}
	t.Logf("ARMA coefficients within %.2g of statsforecast's where the objectives agree", maxAbsDiff)
	if worse > 2 {
		t.Errorf("CSS objective worse than statsforecast's on %d of %d fits, want at most 2", worse, total)
	}
}

// TestArimaFixedMatchesStatsforecast fits every reference order alone and
// compares with statsforecast's fit with its likelihood bug fixed ("ml",
// what R computes). Both maximise the same likelihood by BFGS with
// numerical gradients, so:
//
//   - our log-likelihood must be at least the reference's less 1e-4
//     relative on all but 2 of the 41 fits (measured: 1 — co2
//     ARIMA(1,0,1)(1,0,0)[12] with mean, -120.55 vs -119.31, AR and
//     seasonal AR near 0.99 on a trending series, a flat ridge where our
//     BFGS stops earlier) and is higher on one (unemp
//     ARIMA(2,1,2)(1,0,1)[4] with drift, 3.92 vs 3.80);
//   - where both reach the same maximum (log-likelihoods within 1e-4
//     relative; measured ≤ 4e-5) the AICc agrees to 2·(1e-4·|loglik|+1e-3),
//     the point forecasts to 1% (measured ≤ 0.5%) and the interval widths
//     to 2% (measured ≤ 1.3%).
//
// Against statsforecast as shipped, whose coefficients are mostly its CSS
// estimates, our log-likelihood must also be at least the exact
// log-likelihood at its coefficients less the same tolerance, except on
// the fit above.
func TestArimaFixedMatchesStatsforecast(t *testing.T) {
	short, same, total := 0, 0, 0
	for _, c := range loadArimaReference(t) {
		for _, shipped := range c.Fixed {
			want := *shipped.ML
			total++
			t.Run(c.Name+"/"+want.Model, func(t *testing.T) {
				f, err := fitArima(c.train(), want.spec())
				if err != nil {
					t.Fatal(err)
				}
				tol := 1e-4 * math.Abs(want.Loglik)
				if f.loglik < want.Loglik-tol || f.loglik < shipped.LoglikExact-tol {
					short++
					t.Logf("loglik %.5f, statsforecast %.5f (fixed) %.5f (shipped, exact)", f.loglik, want.Loglik, shipped.LoglikExact)
					return
				}
				if f.loglik > want.Loglik+tol {
					t.Logf("loglik %.5f, higher than statsforecast's %.5f", f.loglik, want.Loglik)
					return
				}
				same++
				if d := math.Abs(f.aicc - want.AICc); d > 2*(tol+1e-3) {
					t.Errorf("AICc %.5f, statsforecast %.5f", f.aicc, want.AICc)
				}
				r := f.result(c.H, DefaultLevels)
				if e := maxRelErr(r.Mean, want.Mean); e > 0.01 {
					t.Errorf("point forecasts differ by %.2g relative, want ≤ 1%%", e)
				}
				for _, l := range DefaultLevels {
					ls := strconv.Itoa(int(l))
					if e := maxRelErr(gotWidths(r, l), refWidths(want, ls)); e > 0.02 {
						t.Errorf("%s%% interval widths differ by %.2g relative, want ≤ 2%%", ls, e)
					}
				}
			})
		}
	}
	if short > 2 {
		t.Errorf("likelihood short of statsforecast's on %d of %d fits, want at most 2", short, total)
	}
	if same < 35 {
		t.Errorf("same maximum as statsforecast on %d of %d fits, want at least 35", same, total)
	}
}

// TestArimaStationaryFitFails: statsforecast cannot fit a stationary
// ARMA(1,1)(1,0)[12] with a mean to the trending AirPassengers (its CSS
// estimates are not stationary and its arima raises); neither do we.
func TestArimaStationaryFitFails(t *testing.T) {
	c := loadArimaReference(t)[0]
	_, err := fitArima(c.train(), arimaSpec{p: 1, q: 1, P: 1, m: 12, constant: true})
	if !errors.Is(err, errNonStationary) {
		t.Errorf("err %v, want %v", err, errNonStationary)
	}
}

// TestAutoArimaMatchesStatsforecast runs AutoARIMA on every series.
//
// Against statsforecast with its likelihood bug fixed (auto_ml; R's
// auto.arima up to the optimiser) the chosen orders must match on at least
// 8 of the 9 series (measured: 9), and where they match the AICc must
// agree within 0.01, the point forecasts within 0.1% (measured ≤ 0.05%)
// and the interval widths within 1%; where they differ, our AICc must not
// exceed the reference's by more than 0.01.
//
// Against statsforecast as shipped the orders match on 5 of 9 (required:
// at least 5). On each of the other series our choice must be the bug-fixed
// reference's: the difference comes from its likelihood, which for models
// with differencing is mostly evaluated at the CSS estimates. Its choices
// there (co2 ARIMA(3,0,0)(0,1,1)[12] with drift, elnino
// ARIMA(1,0,2)(1,1,2)[12], unemp ARIMA(1,1,0)(0,0,2)[4], elec_equip
// ARIMA(1,1,0)(0,1,1)[12]) have a seasonal MA root on or within 1.01 of the
// unit circle at the maximum likelihood (co2, elnino: rejected, as R does)
// or lie off the path the stepwise search takes with the exact likelihood
// (unemp, elec_equip, where we find a lower AICc).
func TestAutoArimaMatchesStatsforecast(t *testing.T) {
	sameML, sameShipped, total := 0, 0, 0
	for _, c := range loadArimaReference(t) {
		total++
		t.Run(c.Name, func(t *testing.T) {
			r, err := AutoARIMA(c.train(), c.M, c.H, DefaultLevels)
			if err != nil {
				t.Fatal(err)
			}
			if r.Note != "" {
				t.Errorf("note %q", r.Note)
			}
			ml, shipped := c.AutoML, c.Auto
			if r.Model == shipped.Model {
				sameShipped++
			} else if r.Model != ml.Model {
				t.Errorf("%s differs from statsforecast's %s and from the bug-fixed %s", r.Model, shipped.Model, ml.Model)
			}
			if r.Model != ml.Model {
				t.Logf("%s AICc %.3f, bug-fixed statsforecast %s AICc %.3f", r.Model, r.AICc, ml.Model, ml.AICc)
				if r.AICc > ml.AICc+0.01 {
					t.Errorf("AICc %.3f worse than the reference's %.3f", r.AICc, ml.AICc)
				}
				return
			}
			sameML++
			if math.Abs(r.AICc-ml.AICc) > 0.01 {
				t.Errorf("AICc %.4f, reference %.4f", r.AICc, ml.AICc)
			}
			if e := maxRelErr(r.Mean, ml.Mean); e > 1e-3 {
				t.Errorf("point forecasts differ by %.2g relative, want ≤ 0.1%%", e)
			}
			for _, l := range DefaultLevels {
				ls := strconv.Itoa(int(l))
				if e := maxRelErr(gotWidths(r, l), refWidths(ml, ls)); e > 0.01 {
					t.Errorf("%s%% interval widths differ by %.2g relative, want ≤ 1%%", ls, e)
				}
			}
			t.Logf("%s AICc %.3f (statsforecast as shipped: %s AICc %.3f); forecasts within %.2g of the reference",
				r.Model, r.AICc, shipped.Model, shipped.AICc, maxRelErr(r.Mean, ml.Mean))
		})
	}
	if sameML < 8 {
		t.Errorf("same orders as bug-fixed statsforecast on %d of %d series, want at least 8", sameML, total)
	}
	if sameShipped < 5 {
		t.Errorf("same orders as statsforecast as shipped on %d of %d series, want at least 5", sameShipped, total)
	}
}

// TestArimaShippedChoicesRejected backs the explanation above: with the
// exact likelihood maximised, co2's and elnino's shipped choices have an MA
// root within 1.01 of the unit circle and are rejected.
func TestArimaShippedChoicesRejected(t *testing.T) {
	for _, c := range loadArimaReference(t) {
		if c.Name != "co2" && c.Name != "elnino" {
			continue
		}
		f, err := fitArima(c.train(), c.Auto.spec())
		if err != nil {
			t.Fatal(err)
		}
		if !math.IsInf(f.ic, 1) || f.minRoot >= 1.01 {
			t.Errorf("%s %s: ic %v, smallest root %.4f; want rejected", c.Name, c.Auto.Model, f.ic, f.minRoot)
		}
		if f.loglik < c.Auto.LoglikExact {
			t.Errorf("%s %s: loglik %.4f below statsforecast's %.4f", c.Name, c.Auto.Model, f.loglik, c.Auto.LoglikExact)
		}
	}
}

// arCovariance returns the autocovariances γ(0..n-1) of an ARMA process
// with unit innovation variance from its MA(∞) weights, summed to 5000
// terms — independent of the state space code.
func armaCovariance(phi, theta []float64, n int) []float64 {
	const K = 5000
	psi := make([]float64, K)
	for j := range psi {
		v := 0.0
		if j == 0 {
			v = 1
		} else if j <= len(theta) {
			v = theta[j-1]
		}
		for i := 1; i <= min(j, len(phi)); i++ {
			v += phi[i-1] * psi[j-i]
		}
		psi[j] = v
	}
	g := make([]float64, n)
	for k := range g {
		for j := 0; j+k < K; j++ {
			g[k] += psi[j] * psi[j+k]
		}
	}
	return g
}

// denseLoglik is the Gaussian log-likelihood of the zero-mean series x
// under the ARMA model (phi, theta) with σ² profiled out, from the
// Toeplitz covariance of x (armaCovariance) by Cholesky: independent of
// the state space code.
func denseLoglik(t *testing.T, phi, theta, x []float64) float64 {
	t.Helper()
	n := len(x)
	g := armaCovariance(phi, theta, n)
	S := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			S.SetSym(i, j, g[j-i])
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(S) {
		t.Fatal("covariance not positive definite")
	}
	z := mat.NewVecDense(n, nil)
	if err := ch.SolveVecTo(z, mat.NewVecDense(n, x)); err != nil {
		t.Fatal(err)
	}
	q := mat.Dot(mat.NewVecDense(n, x), z)
	nf := float64(n)
	// Profile σ²: σ̂² = q/n, loglik = -n/2 (log 2π σ̂² + 1) - log|Σ|/2.
	return -0.5*nf*(math.Log(2*math.Pi*q/nf)+1) - 0.5*ch.LogDet()
}

// TestArimaLikelihoodExact checks the filter's likelihood of stationary
// models against the Gaussian density with the Toeplitz covariance of the
// series (Cholesky), with σ² profiled out, to 1e-9 relative; and AR(1)
// against its closed form.
func TestArimaLikelihoodExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	y := make([]float64, 60)
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	for _, tc := range []struct {
		spec arimaSpec
		coef []float64
	}{
		{arimaSpec{p: 1, m: 1}, []float64{0.6}},
		{arimaSpec{q: 1, m: 1}, []float64{-0.7}},
		{arimaSpec{p: 2, q: 1, m: 1}, []float64{0.5, -0.3, 0.4}},
		{arimaSpec{p: 1, q: 1, P: 1, Q: 1, m: 4}, []float64{0.3, 0.2, -0.5, 0.4}},
		{arimaSpec{q: 2, Q: 1, m: 3}, []float64{0.5, 0.2, -0.6}},
	} {
		t.Run(tc.spec.String(), func(t *testing.T) {
			phi := make([]float64, tc.spec.p+tc.spec.m*tc.spec.P)
			theta := make([]float64, tc.spec.q+tc.spec.m*tc.spec.Q)
			tc.spec.expand(tc.coef, false, phi, theta)
			n := len(y)
			nf := float64(n)
			want := denseLoglik(t, phi, theta, y)
			got := loglikAt(y, tc.spec, tc.coef)
			if e := relErr(got, want); e > 1e-9 {
				t.Errorf("loglik %.12f, direct %.12f (relative error %.2g)", got, want, e)
			}
			if tc.spec.p == 1 && tc.spec.q == 0 {
				// AR(1): Σe² = (1-φ²)y₁² + Σ(y_t - φy_{t-1})², log|Σ| = -log(1-φ²).
				f := tc.coef[0]
				ss := (1 - f*f) * y[0] * y[0]
				for i := 1; i < n; i++ {
					e := y[i] - f*y[i-1]
					ss += e * e
				}
				closed := -0.5*nf*(math.Log(2*math.Pi*ss/nf)+1) + 0.5*math.Log(1-f*f)
				if e := relErr(got, closed); e > 1e-12 {
					t.Errorf("AR(1) loglik %.12f, closed form %.12f", got, closed)
				}
			}
		})
	}
}

// TestArimaQ0Lyapunov: the prior covariance of the ARMA states solves
// P = T·P·T' + R·R' (to 1e-10 relative) for models with seasonal terms.
func TestArimaQ0Lyapunov(t *testing.T) {
	for _, tc := range []struct {
		spec arimaSpec
		coef []float64
	}{
		{arimaSpec{p: 2, q: 1, m: 1}, []float64{1.2, -0.5, 0.4}},
		{arimaSpec{p: 1, q: 2, P: 1, Q: 1, m: 4}, []float64{0.7, 0.3, -0.2, 0.85, -0.4}},
		{arimaSpec{p: 2, P: 2, m: 12}, []float64{0.5, 0.2, 0.3, 0.4}},
	} {
		mod := newSSModel(tc.spec.p+tc.spec.m*tc.spec.P, tc.spec.q+tc.spec.m*tc.spec.Q, 0)
		tc.spec.expand(tc.coef, false, mod.phi, mod.theta)
		if !mod.init() {
			t.Fatalf("%s: init failed", tc.spec)
		}
		copy(mod.P, mod.Pn)
		mod.predictCov()
		scale := math.Abs(mod.Pn[0])
		for i := range mod.Pn {
			if d := math.Abs(mod.Pnew[i] - mod.Pn[i]); d > 1e-10*scale {
				t.Fatalf("%s: (TPT'+RR' - P)[%d] = %.3g", tc.spec, i, d)
			}
		}
	}
}

func TestArimaTransforms(t *testing.T) {
	raw := []float64{0.8, -1.5, 0.3}
	phi := make([]float64, 3)
	partrans(raw, phi)
	if r := minRoot(phi, -1); !(r > 1) {
		t.Errorf("partrans gave a non-stationary AR %v (smallest root %v)", phi, r)
	}
	back := make([]float64, 3)
	invpartrans(phi, back)
	for i := range raw {
		if math.Abs(back[i]-raw[i]) > 1e-12 {
			t.Errorf("invpartrans(partrans(%v)) = %v", raw, back)
		}
	}
	// (1-B)(1-B^4) = 1 - B - B^4 + B^5.
	if got := arimaDelta(1, 1, 4); !equalFloats(got, []float64{1, 0, 0, 1, -1}) {
		t.Errorf("arimaDelta(1,1,4) = %v", got)
	}
	// (1+2.5z)(1-0.5z) has a root inside the unit circle: maInvert flips
	// it to (1+0.4z)(1-0.5z) = 1 - 0.1z - 0.2z².
	ma := []float64{2, -1.25}
	maInvert(ma)
	if math.Abs(ma[0]+0.1) > 1e-12 || math.Abs(ma[1]+0.2) > 1e-12 {
		t.Errorf("maInvert = %v, want [-0.1 -0.2]", ma)
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			return false
		}
	}
	return true
}

// TestArimaMAInversionKeepsLikelihood: flipping MA roots leaves the exact
// likelihood (σ² profiled) unchanged for an undifferenced model. (With
// differencing it changes slightly — 1.3e-3 on AirPassengers — because the
// diffuse prior's kappa = 1e6 does not scale with σ².)
func TestArimaMAInversionKeepsLikelihood(t *testing.T) {
	y := weekly(100, 9)
	spec := arimaSpec{q: 1, Q: 1, m: 7, constant: true}
	a := loglikAt(y, spec, []float64{-0.4, -0.6, 30})
	b := loglikAt(y, spec, []float64{-1 / 0.4, -1 / 0.6, 30})
	if e := relErr(b, a); e > 1e-9 {
		t.Errorf("loglik %.9f with MA roots inside the unit circle, %.9f outside", b, a)
	}
}

// TestArimaRandomWalk: ARIMA(0,1,0) forecasts the last value with variance
// h·σ², σ² the mean squared difference (over n-1-1+1 = n-1), up to the
// diffuse prior's 1/kappa (measured: 4e-6 relative).
func TestArimaRandomWalk(t *testing.T) {
	y := []float64{10, 12, 11, 13, 15, 14, 16, 18, 17, 19}
	f, err := fitArima(y, arimaSpec{d: 1, m: 1})
	if err != nil {
		t.Fatal(err)
	}
	mean, se := f.forecast(3)
	ss := 0.0
	for i := 1; i < len(y); i++ {
		ss += (y[i] - y[i-1]) * (y[i] - y[i-1])
	}
	s2 := ss / float64(len(y)-1)
	for h := range 3 {
		if math.Abs(mean[h]-19) > 1e-9 || relErr(se[h]*se[h], float64(h+1)*s2) > 1e-5 {
			t.Errorf("step %d: mean %v se² %v, want 19 and %v", h+1, mean[h], se[h]*se[h], float64(h+1)*s2)
		}
	}
}

func TestAutoArimaSpecialSeries(t *testing.T) {
	ramp := make([]float64, 30)
	for i := range ramp {
		ramp[i] = 5 + 2*float64(i)
	}
	tests := []struct {
		name      string
		y         []float64
		m, h      int
		wantMean  []float64
		wantModel string
		wantNote  string
	}{
		{"constant", repeat(7, 20), 1, 3, []float64{7, 7, 7}, "ARIMA(0,0,0) with non-zero mean", "constant series"},
		{"linear trend", ramp, 1, 2, []float64{65, 67}, "ARIMA(0,1,0) with drift", "constant after differencing"},
		{"too short", []float64{1, 2}, 1, 1, nil, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := AutoARIMA(tc.y, tc.m, tc.h, DefaultLevels)
			if tc.wantMean == nil {
				if !errors.Is(err, ErrTooShort) {
					t.Fatalf("err %v, want ErrTooShort", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Model != tc.wantModel || !strings.Contains(r.Note, tc.wantNote) || !equalFloats(r.Mean, tc.wantMean) {
				t.Errorf("%s %v (note %q), want %s %v (%q)", r.Model, r.Mean, r.Note, tc.wantModel, tc.wantMean, tc.wantNote)
			}
		})
	}
}

// TestAutoArimaDemand runs the registered method on daily demand with a
// weekly season: intervals nested around the mean and widening.
func TestAutoArimaDemand(t *testing.T) {
	r, err := Forecast("arima", weekly(140, 5), 7, 14, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Model, "ARIMA(") || !r.HasAICc() {
		t.Errorf("model %q AICc %v", r.Model, r.AICc)
	}
	for i, mu := range r.Mean {
		if !(r.Lower[95][i] < r.Lower[80][i] && r.Lower[80][i] < mu && mu < r.Upper[80][i] && r.Upper[80][i] < r.Upper[95][i]) {
			t.Fatalf("step %d: intervals not nested around %v", i+1, mu)
		}
	}
	if w0, w1 := r.Upper[95][0]-r.Lower[95][0], r.Upper[95][13]-r.Lower[95][13]; w1 < w0 {
		t.Errorf("95%% width %v at step 1, %v at step 14", w0, w1)
	}
}

// TestArimaSearchLikelihoodIsExact: the objective the search minimises
// (the Chandrasekhar recursions) is the exact Gaussian likelihood of the
// differenced series (Toeplitz covariance of the ARMA part, Cholesky) to
// 1e-9 relative, and agrees with the Kalman filter over the
// undifferenced series with diffuse differencing states (R's and
// statsforecast's, which fitArima reports) to 1e-7 where the series'
// level is small against ssKappa.
func TestArimaSearchLikelihoodIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	y := make([]float64, 80)
	level := 0.0
	for i := range y {
		level += 0.1 * rng.NormFloat64()
		y[i] = level + math.Sin(float64(i)*2*math.Pi/4) + rng.NormFloat64()
	}
	for _, tc := range []struct {
		spec arimaSpec
		coef []float64 // AR blocks as coefficients
	}{
		{arimaSpec{p: 1, d: 1, m: 1}, []float64{0.4}},
		{arimaSpec{q: 1, d: 1, m: 1, constant: true}, []float64{-0.6, 0.05}},
		{arimaSpec{p: 1, q: 1, D: 1, Q: 1, m: 4}, []float64{0.3, 0.2, -0.7}},
		{arimaSpec{q: 2, d: 1, D: 1, P: 1, m: 4}, []float64{-0.5, 0.1, 0.3}},
		{arimaSpec{p: 2, d: 2, m: 1}, []float64{0.5, -0.3}},
		// No differencing: the same recursions over the series itself.
		{arimaSpec{p: 1, q: 1, P: 1, m: 4, constant: true}, []float64{0.6, 0.3, 0.2, 0.4}},
		{arimaSpec{q: 2, Q: 1, m: 4}, []float64{0.5, 0.2, -0.6}},
	} {
		t.Run(tc.spec.String(), func(t *testing.T) {
			pr, err := newArimaProblem(y, tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			s := pr.spec
			par := append([]float64(nil), tc.coef...)
			o := s.p + s.q
			invpartrans(tc.coef[:s.p], par[:s.p])
			invpartrans(tc.coef[o:o+s.P], par[o:o+s.P])
			nu := float64(len(y) - s.d - s.D*s.m)
			loglik := func(fun float64) float64 { return -0.5 * (2*nu*fun + nu + nu*math.Log(2*math.Pi)) }
			got, diffuse := loglik(pr.ml(par)), loglik(pr.mlDiffuse(par))

			phi, theta := make([]float64, s.p+s.m*s.P), make([]float64, s.q+s.m*s.Q)
			s.expand(tc.coef, false, phi, theta)
			x := difference(y, s.d, s.D, s.m)
			if s.constant {
				dx := difference(pr.xreg, s.d, s.D, s.m)
				for i := range x {
					x[i] -= tc.coef[pr.narma] * dx[i]
				}
			}
			want := denseLoglik(t, phi, theta, x)
			if e := relErr(got, want); !(e <= 1e-9) {
				t.Errorf("search loglik %.12f, direct %.12f (relative error %.2g)", got, want, e)
			}
			if e := relErr(got, diffuse); !(e <= 1e-7) {
				t.Errorf("search loglik %.12f, diffuse filter %.12f (relative error %.2g)", got, diffuse, e)
			}
		})
	}
}
