package forecast

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
)

// refCase is one series of testdata/reference.json (gen_reference.py).
type refCase struct {
	Name   string              `json:"name"`
	M      int                 `json:"m"`
	H      int                 `json:"h"`
	Y      []float64           `json:"y"`
	Models map[string]refModel `json:"models"`
}

type refModel struct {
	Method string               `json:"method"`
	AICc   float64              `json:"aicc"`
	Each   map[string]refModel  `json:"each"` // every ETS model fitted alone
	Mean   []float64            `json:"mean"`
	Lower  map[string][]float64 `json:"lower"`
	Upper  map[string][]float64 `json:"upper"`
}

func loadReference(t *testing.T) []refCase {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []refCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref.Cases
}

func (c refCase) train() []float64 { return c.Y[:len(c.Y)-c.H] }

// relErr is |got-want| relative to max(|want|, 1e-8).
func relErr(got, want float64) float64 {
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-8)
}

// checkSeries fails when any got[i] differs from want[i] by more than tol
// relative.
func checkSeries(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if e := relErr(got[i], want[i]); !(e <= tol) {
			t.Errorf("%s[%d] = %.10g, want %.10g (relative error %.2g > %.2g)", what, i, got[i], want[i], e, tol)
			return
		}
	}
}

// checkIntervals compares interval widths (upper-lower) per level.
func checkIntervals(t *testing.T, r *Result, want refModel, tol float64) {
	t.Helper()
	for ls, lo := range want.Lower {
		l, _ := strconv.ParseFloat(ls, 64)
		hi := want.Upper[ls]
		gotW, wantW := make([]float64, len(lo)), make([]float64, len(lo))
		for i := range lo {
			gotW[i] = r.Upper[l][i] - r.Lower[l][i]
			wantW[i] = hi[i] - lo[i]
		}
		checkSeries(t, "width"+ls, gotW, wantW, tol)
	}
}

func TestNaiveMatchesStatsforecast(t *testing.T) {
	for _, c := range loadReference(t) {
		for _, tc := range []struct {
			key string
			fn  Method
		}{{"naive", Naive}, {"snaive", SeasonalNaive}} {
			want, ok := c.Models[tc.key]
			if !ok {
				continue
			}
			t.Run(c.Name+"/"+tc.key, func(t *testing.T) {
				got, err := tc.fn(c.train(), c.M, c.H, DefaultLevels)
				if err != nil {
					t.Fatal(err)
				}
				checkSeries(t, "mean", got.Mean, want.Mean, 0)
				checkIntervals(t, got, want, 1e-9)
				for ls := range want.Lower {
					l, _ := strconv.ParseFloat(ls, 64)
					checkSeries(t, "lower"+ls, got.Lower[l], want.Lower[ls], 1e-9)
					checkSeries(t, "upper"+ls, got.Upper[l], want.Upper[ls], 1e-9)
				}
			})
		}
	}
}

func TestIntermittentMatchesStatsforecast(t *testing.T) {
	methods := map[string]Method{"croston": Croston, "sba": SBA, "tsb": TSB, "adida": ADIDA, "imapa": IMAPA}
	n := 0
	for _, c := range loadReference(t) {
		for key, want := range c.Models {
			fn, ok := methods[key]
			if !ok {
				continue
			}
			n++
			t.Run(c.Name+"/"+key, func(t *testing.T) {
				got, err := fn(c.train(), c.M, c.H, DefaultLevels)
				if err != nil {
					t.Fatal(err)
				}
				checkSeries(t, "mean", got.Mean, want.Mean, 1e-6)
				for _, l := range DefaultLevels {
					for i := range got.Mean {
						if lo, hi := got.Lower[l][i], got.Upper[l][i]; !(lo >= 0 && lo <= hi) {
							t.Fatalf("level %v step %d: interval [%v, %v] not ordered or negative", l, i, lo, hi)
						}
					}
				}
			})
		}
	}
	if n < 25 {
		t.Fatalf("compared %d intermittent forecasts, want at least 25", n)
	}
}

func TestThetaMatchesStatsforecast(t *testing.T) {
	for _, c := range loadReference(t) {
		want, ok := c.Models["theta"]
		if !ok {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			got, err := Theta(c.train(), c.M, c.H, DefaultLevels)
			if err != nil {
				t.Fatal(err)
			}
			checkSeries(t, "mean", got.Mean, want.Mean, 1e-3)
			// statsforecast simulates Theta intervals from 200 paths; its widths
			// are that noisy (see testdata/gen_reference.py).
			checkIntervals(t, got, want, 0.2)
		})
	}
}

// statsforecast's Nelder-Mead (1000 iterations, and parameter bounds that
// one AutoETS call narrows from model to model: β's upper bound becomes the
// first trend model's initial α) often stops at a worse likelihood than
// ours. Where the chosen models differ, ours has the lower AICc by
// statsforecast's own criterion, which the test asserts:
//
//	AirPassengers: statsforecast ETS(M,N,M) AICc 1297.5, ours ETS(M,A,M) 1247.4
//	co2:           statsforecast ETS(A,A,A) AICc 776.2,  ours ETS(A,Ad,A) 663.5
//	elec_equip:    statsforecast ETS(A,N,A) AICc 1943.7, ours ETS(M,N,M) 1875.0
func TestETSMatchesStatsforecast(t *testing.T) {
	same, total := 0, 0
	for _, c := range loadReference(t) {
		want, ok := c.Models["ets"]
		if !ok {
			continue
		}
		total++
		t.Run(c.Name, func(t *testing.T) {
			got, err := ETS(c.train(), c.M, c.H, DefaultLevels)
			if err != nil {
				t.Fatal(err)
			}
			if got.AICc > want.AICc+0.5 {
				t.Errorf("%s AICc %.2f, worse than statsforecast's %s %.2f", got.Model, got.AICc, want.Method, want.AICc)
			}
			if got.Model != want.Method {
				t.Logf("model %s (AICc %.2f), statsforecast %s (AICc %.2f)", got.Model, got.AICc, want.Method, want.AICc)
				return
			}
			same++
			if math.Abs(got.AICc-want.AICc) < 10 {
				// The same optimum up to the optimisers' tolerance.
				checkSeries(t, "mean", got.Mean, want.Mean, 0.02)
			}
			if math.Abs(got.AICc-want.AICc) < 0.5 {
				checkIntervals(t, got, want, 0.05)
			}
		})
	}
	if same < 6 {
		t.Errorf("same model as statsforecast on %d of %d series, want at least 6", same, total)
	}
}

// TestETSEachModelMatchesStatsforecast fits every model alone: where both
// optimisers reach the same likelihood (AICc within 0.1) the filter, the
// likelihood and the forecast recursion must agree, so the point forecasts
// must too.
func TestETSEachModelMatchesStatsforecast(t *testing.T) {
	compared := 0
	for _, c := range loadReference(t) {
		want, ok := c.Models["ets"]
		if !ok {
			continue
		}
		y := c.train()
		for _, spec := range etsModels(c.M, slices.Min(y) > 0) {
			w, ok := want.Each[spec.String()]
			if !ok {
				t.Errorf("%s: statsforecast has no %s", c.Name, spec)
				continue
			}
			f := fitETS(y, c.M, spec)
			if f == nil {
				t.Errorf("%s: %s could not be fitted", c.Name, spec)
				continue
			}
			if math.Abs(f.aicc-w.AICc) >= 0.1 {
				continue
			}
			compared++
			t.Run(c.Name+"/"+spec.String(), func(t *testing.T) {
				checkSeries(t, "mean", f.point(c.H), w.Mean, 0.02)
			})
		}
	}
	if compared < 20 {
		t.Errorf("compared %d single-model fits, want at least 20", compared)
	}
}

// TestETSIntervalsOrdered checks every interval class (AirPassengers picks a
// multiplicative-season model, whose intervals are simulated): bounds on
// both sides of the mean, the 95% interval around the 80% one, and widths
// that do not shrink over the horizon by more than simulation noise.
func TestETSIntervalsOrdered(t *testing.T) {
	for _, c := range loadReference(t) {
		if _, ok := c.Models["ets"]; !ok {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			r, err := ETS(c.train(), c.M, c.H, DefaultLevels)
			if err != nil {
				t.Fatal(err)
			}
			for i, mu := range r.Mean {
				if !(r.Lower[95][i] <= r.Lower[80][i] && r.Lower[80][i] < mu && mu < r.Upper[80][i] && r.Upper[80][i] <= r.Upper[95][i]) {
					t.Fatalf("%s step %d: 95%% [%v, %v], 80%% [%v, %v] around %v not nested", r.Model, i+1,
						r.Lower[95][i], r.Upper[95][i], r.Lower[80][i], r.Upper[80][i], mu)
				}
			}
			first, last := r.Upper[95][0]-r.Lower[95][0], r.Upper[95][c.H-1]-r.Lower[95][c.H-1]
			if last < 0.9*first {
				t.Errorf("%s: 95%% width %v at step 1, %v at step %d", r.Model, first, last, c.H)
			}
		})
	}
}
