package forecast

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"
)

// arimaRefCase is one series of testdata/arima_reference.json
// (gen_reference_arima.py).
type arimaRefCase struct {
	Name  string    `json:"name"`
	M     int       `json:"m"`
	H     int       `json:"h"`
	Y     []float64 `json:"y"`
	Tests struct {
		D        int      `json:"D"`
		Strength *float64 `json:"strength"`
		LowerD   int      `json:"d"`
		KPSS     float64  `json:"kpss"`
	} `json:"tests"`
	Auto  arimaRefModel   `json:"auto"`
	Fixed []arimaRefModel `json:"fixed"`
}

type arimaRefModel struct {
	Orders   []int                `json:"orders"` // p, d, q, P, D, Q, m
	Constant bool                 `json:"constant"`
	AICc     float64              `json:"aicc"`
	Loglik   float64              `json:"loglik"`
	Sigma2   float64              `json:"sigma2"`
	Coef     map[string]float64   `json:"coef"`
	Mean     []float64            `json:"mean"`
	Lower    map[string][]float64 `json:"lower"`
	Upper    map[string][]float64 `json:"upper"`
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

func TestArimaFixedMatchesStatsforecast(t *testing.T) {
	for _, c := range loadArimaReference(t) {
		for _, want := range c.Fixed {
			spec := want.spec()
			t.Run(c.Name+"/"+spec.String(), func(t *testing.T) {
				f, err := fitArima(c.train(), spec)
				if err != nil {
					t.Fatal(err)
				}
				r := f.result(c.H, DefaultLevels)
				t.Logf("loglik %.4f want %.4f; aicc %.4f want %.4f; mean err %.2g; coef %v want %v", f.loglik, want.Loglik, f.aicc, want.AICc,
					maxRelErr(r.Mean, want.Mean), f.coef, want.Coef)
				for _, l := range DefaultLevels {
					ls := strconv.Itoa(int(l))
					gw := make([]float64, c.H)
					for i := range gw {
						gw[i] = r.Upper[l][i] - r.Lower[l][i]
					}
					t.Logf("width%s err %.2g", ls, maxRelErr(gw, refWidths(want, ls)))
				}
			})
		}
	}
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

func TestArimaLikelihoodAtReferenceCoefficients(t *testing.T) {
	for _, c := range loadArimaReference(t) {
		for _, want := range c.Fixed {
			got := loglikAt(c.train(), want.spec(), want.vector())
			t.Logf("%s %s: loglik %.6f want %.6f (%.2g)", c.Name, want.spec(), got, want.Loglik, relErr(got, want.Loglik))
		}
	}
}
