package risk

import (
	"bytes"
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestROCAUCAndAveragePrecision(t *testing.T) {
	tests := []struct {
		name          string
		scores, y     []float64
		wantAUC, want float64
	}{
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []float64{0, 0, 1, 1}, 1, 1},
		{"inverted", []float64{0.9, 0.8, 0.2, 0.1}, []float64{0, 0, 1, 1}, 0, 0.5*(1.0/3) + 0.5*(2.0/4)},
		{"all tied", []float64{0.5, 0.5, 0.5, 0.5}, []float64{0, 1, 0, 1}, 0.5, 0.5},
		// Positives at ranks 2 and 4 of 4: U = (2+4) − 3 = 3 of 4 pairs.
		{"mixed", []float64{0.1, 0.2, 0.3, 0.4}, []float64{0, 1, 0, 1}, 0.75, 0.5*1 + 0.5*(2.0/3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ROCAUC(tt.scores, tt.y); math.Abs(got-tt.wantAUC) > 1e-12 {
				t.Errorf("ROCAUC = %g, want %g", got, tt.wantAUC)
			}
			if got := AveragePrecision(tt.scores, tt.y); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("AveragePrecision = %g, want %g", got, tt.want)
			}
		})
	}
}

// With L2 the fit maximises logLik − λ/2·Σβ² over standardised
// coefficients: at the optimum the penalised gradient vanishes, the
// intercept's (unpenalised) component included, so the mean fitted
// probability equals the mean label.
func TestL2SparesTheIntercept(t *testing.T) {
	c := loadReference(t)[1] // infert
	d := c.data(t)
	mle, err := FitLogistic(d.Features, d.X, d.Y, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l2 := range []float64{1, 100, 1e6} {
		f, err := FitLogistic(d.Features, d.X, d.Y, FitOptions{L2: l2})
		if err != nil {
			t.Fatal(err)
		}
		var meanP, meanY float64
		grad := make([]float64, len(d.Features))
		for i, x := range d.X {
			eta := f.Intercept
			for j, v := range x {
				eta += f.Coefficients[j] * v
			}
			p := sigmoid(eta)
			meanP += p
			meanY += d.Y[i]
			for j, v := range x {
				grad[j] += (d.Y[i] - p) * (v - f.Means[j]) / f.Scales[j]
			}
		}
		if math.Abs(meanP-meanY) > 1e-8 {
			t.Errorf("l2 %g: Σp = %g, Σy = %g: the intercept is penalised", l2, meanP, meanY)
		}
		for j := range grad {
			beta := f.Coefficients[j] * f.Scales[j]
			if g := grad[j] - l2*beta; math.Abs(g) > 1e-6*math.Max(1, l2) {
				t.Errorf("l2 %g: penalised gradient of %s = %g, want 0", l2, d.Features[j], g)
			}
			if math.Abs(f.Coefficients[j]) > math.Abs(mle.Coefficients[j])+1e-12 && l2 >= 100 {
				t.Errorf("l2 %g: |%s| = %g grew beyond the MLE's %g", l2, d.Features[j], f.Coefficients[j], mle.Coefficients[j])
			}
		}
		if f.LogLik > mle.LogLik+1e-9 {
			t.Errorf("l2 %g: logLik %g above the maximum %g", l2, f.LogLik, mle.LogLik)
		}
	}
	// A penalty makes separated data fit.
	sep := loadReference(t)[4]
	ds := sep.data(t)
	if _, err := FitLogistic(ds.Features, ds.X, ds.Y, FitOptions{L2: 0.1}); err != nil {
		t.Errorf("separated data with l2 0.1: %v, want a fit", err)
	}
}

func TestFitRejectsBadData(t *testing.T) {
	tests := []struct {
		name     string
		features []string
		x        [][]float64
		y        []float64
		want     string
	}{
		{"empty", []string{"a"}, nil, nil, "at least one observation"},
		{"one class", []string{"a"}, [][]float64{{1}, {2}, {3}}, []float64{1, 1, 1}, "both classes"},
		{"bad label", []string{"a"}, [][]float64{{1}, {2}, {3}}, []float64{0, 2, 1}, "want 0 or 1"},
		{"constant", []string{"a"}, [][]float64{{1}, {1}, {1}}, []float64{0, 1, 1}, "constant"},
		{"ragged", []string{"a"}, [][]float64{{1}, {2, 3}, {3}}, []float64{0, 1, 1}, "has 2 values"},
		{"too few", []string{"a", "b"}, [][]float64{{1, 2}, {2, 1}}, []float64{0, 1}, "cannot fit"},
		{"collinear", []string{"a", "b"}, [][]float64{{1, 2}, {2, 4}, {3, 6}, {4, 8}, {5, 10}, {2, 4}}, []float64{0, 1, 0, 1, 0, 0}, "collinear"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FitLogistic(tt.features, tt.x, tt.y, FitOptions{})
			if !errors.Is(err, ErrBadData) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want ErrBadData saying %q", err, tt.want)
			}
		})
	}
}

// Quasi-complete separation: a feature value only positives have.
func TestQuasiSeparation(t *testing.T) {
	x := [][]float64{{0, 1}, {0, 2}, {0, 3}, {0, 1.5}, {0, 2.5}, {1, 1}, {1, 3}, {0, 2.2}}
	y := []float64{0, 1, 0, 1, 0, 1, 1, 0}
	_, err := FitLogistic([]string{"flag", "v"}, x, y, FitOptions{})
	var sep *SeparationError
	if !errors.As(err, &sep) {
		t.Fatalf("got %v, want a *SeparationError", err)
	}
	if sep.Complete || sep.Observations != 2 || !slices.Contains(sep.Diverging, "flag") {
		t.Errorf("got %+v, want quasi-complete over 2 observations with flag diverging", sep)
	}
}

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name, csv, label string
		features         []string
		want             string
	}{
		{"ok", "y,a,b\n1,2,3\n0,4,5\n", "y", nil, ""},
		{"missing label", "y,a\n1,2\n", "z", nil, `no label column "z"`},
		{"missing feature", "y,a\n1,2\n", "y", []string{"a", "c"}, `no feature column "c"`},
		{"non-numeric", "y,a\n1,2\n0,x\n", "y", nil, `row 3: column "a" is "x"`},
		{"bad label", "y,a\n3,2\n", "y", nil, "want 0 or 1"},
		{"empty", "", "y", nil, "empty"},
		{"header only", "y,a\n", "y", nil, "no rows"},
		{"not finite", "y,a\n1,Inf\n", "y", nil, "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ReadCSV(strings.NewReader(tt.csv), tt.label, tt.features)
			if tt.want == "" {
				if err != nil || len(d.X) != 2 || !slices.Equal(d.Features, []string{"a", "b"}) || d.X[1][1] != 5 {
					t.Fatalf("got %+v %v", d, err)
				}
				var buf bytes.Buffer
				if err := d.WriteCSV(&buf, "y"); err != nil || buf.String() != tt.csv {
					t.Errorf("round trip %q %v, want %q", buf.String(), err, tt.csv)
				}
				return
			}
			if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want ErrInput saying %q", err, tt.want)
			}
		})
	}
}

// The shipped model is exactly what its recipe trains, and does what the
// README says on the held-out seeded set.
func TestDefaultModelIsReproducible(t *testing.T) {
	shipped := DefaultModel()
	m, err := TrainDemo()
	if err != nil {
		t.Fatal(err)
	}
	if shipped.Version != m.Version || shipped.Thresholds != m.Thresholds || !slices.Equal(shipped.Features, m.Features) {
		t.Fatalf("shipped %s %+v, recipe %s %+v: run go run ./cmd/risk demo-model", shipped.Version, shipped.Thresholds, m.Version, m.Thresholds)
	}
	if relErr(shipped.Intercept, m.Intercept) > 1e-9 {
		t.Errorf("intercept %g, recipe %g", shipped.Intercept, m.Intercept)
	}
	for f, c := range m.Coefficients {
		if relErr(shipped.Coefficients[f], c) > 1e-9 {
			t.Errorf("%s %g, recipe %g", f, shipped.Coefficients[f], c)
		}
	}
	h := DemoHoldout()
	r := shipped.Evaluate(h.X, h.Y)
	if r.ROCAUC < 0.9 || r.PRAUC < 0.7 {
		t.Errorf("held-out ROC AUC %.3f PR AUC %.3f, want ≥ 0.9 and ≥ 0.7", r.ROCAUC, r.PRAUC)
	}
	if r.Block.Precision < 0.85 {
		t.Errorf("block precision %.3f, want ≥ 0.85", r.Block.Precision)
	}
}

func TestParseModelRejects(t *testing.T) {
	tests := []struct{ name, json string }{
		{"not json", "{"},
		{"no version", `{"features":["a"],"coefficients":{"a":1},"thresholds":{"review":0.5,"block":0.9}}`},
		{"missing coefficient", `{"version":"v","features":["a"],"coefficients":{},"thresholds":{"review":0.5,"block":0.9}}`},
		{"thresholds out of order", `{"version":"v","features":["a"],"coefficients":{"a":1},"thresholds":{"review":0.9,"block":0.5}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseModel([]byte(tt.json)); !errors.Is(err, ErrBadModel) {
				t.Errorf("got %v, want ErrBadModel", err)
			}
		})
	}
	m, err := ParseModel([]byte(`{"version":"v","features":["nope"],"coefficients":{"nope":1},"thresholds":{"review":0.5,"block":0.9}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewScorer(m); !errors.Is(err, ErrBadModel) {
		t.Errorf("a model over an unknown feature: %v, want ErrBadModel", err)
	}
}

func TestDecide(t *testing.T) {
	s, err := NewScorer(DefaultModel())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 4, 14, 0, 0, 0, time.UTC)
	known := History{FirstOrderAt: at.Add(-400 * 24 * time.Hour), PriorOrders: 12, PriorAmount: 12 * 15000, Addresses: 1, KnownAddress: true}
	base := Input{CustomerID: "c", Amount: 12000, Currency: "CNY", Exponent: 2, AddressKey: "a", DeviceID: "d", At: at,
		Lines: []Line{{SKUID: "s", Category: "tea", Quantity: 1, Total: 12000}}}
	with := func(f func(*Input, *History, *Rules)) (Input, History, Rules) {
		in, h, r := base, known, DefaultRules()
		in.Lines = slices.Clone(base.Lines)
		f(&in, &h, &r)
		return in, h, r
	}
	tests := []struct {
		name    string
		in      Input
		h       History
		r       Rules
		blocked []string
		want    Decision
		rule    string
	}{
		{"an ordinary order", base, known, DefaultRules(), nil, Allow, ""},
		{"blocked shopper", base, known, DefaultRules(), []string{BlockShopper}, Block, "blocklist.shopper"},
		{"blocked device", base, known, DefaultRules(), []string{BlockDevice}, Block, "blocklist.device"},
		{"blocked address", base, known, DefaultRules(), []string{BlockAddress}, Block, "blocklist.address"},
		func() struct {
			name    string
			in      Input
			h       History
			r       Rules
			blocked []string
			want    Decision
			rule    string
		} {
			in, h, r := with(func(_ *Input, h *History, _ *Rules) { h.Orders[Win10m] = 10 })
			return struct {
				name    string
				in      Input
				h       History
				r       Rules
				blocked []string
				want    Decision
				rule    string
			}{"11th order in 10 minutes", in, h, r, nil, Block, "velocity.orders.10m"}
		}(),
	}
	add := func(name string, f func(*Input, *History, *Rules), want Decision, rule string) {
		in, h, r := with(f)
		tests = append(tests, struct {
			name    string
			in      Input
			h       History
			r       Rules
			blocked []string
			want    Decision
			rule    string
		}{name, in, h, r, nil, want, rule})
	}
	add("10th order in 10 minutes", func(_ *Input, h *History, _ *Rules) { h.Orders[Win10m] = 9 }, Allow, "")
	add("5 failed payments in 10 minutes", func(_ *Input, h *History, _ *Rules) { h.Failures = [nWindows]float64{5, 5, 5} }, Block, "velocity.failures.10m")
	add("10 failed payments in an hour", func(_ *Input, h *History, _ *Rules) { h.Failures = [nWindows]float64{0, 10, 10} }, Block, "velocity.failures.1h")
	add("24h order limit", func(_ *Input, h *History, r *Rules) { h.Orders[Win24h] = 3; r.MaxOrders = map[string]int{"24h": 3} }, Block, "velocity.orders.24h")
	add("amount ceiling", func(in *Input, _ *History, r *Rules) { r.MaxAmount = map[string]int64{"CNY": 12000} }, Block, "amount.max")
	add("ceiling in another currency", func(in *Input, _ *History, r *Rules) { r.MaxAmount = map[string]int64{"USD": 100} }, Allow, "")
	add("review amount", func(in *Input, _ *History, r *Rules) { r.ReviewAmount = map[string]int64{"CNY": 10000} }, Review, "amount.review")
	add("too many addresses", func(in *Input, h *History, r *Rules) { h.KnownAddress = false; h.Addresses = 3; r.MaxAddresses = 3 }, Review, "addresses.max")
	add("rules' thresholds", func(in *Input, _ *History, r *Rules) { r.Thresholds = &Thresholds{Review: 1e-9, Block: 1} }, Review, "score.review")
	add("score blocks a card-testing burst", func(in *Input, h *History, _ *Rules) {
		*h = History{Orders: [nWindows]float64{3, 4, 4}, Failures: [nWindows]float64{4, 9, 12}}
		in.DeviceID, in.Amount, in.Lines[0].Total = "", 900, 900
		in.At = time.Date(2025, 3, 4, 19, 0, 0, 0, time.UTC) // 03:00 in Shanghai
	}, Block, "score.block")
	add("score reviews a takeover", func(in *Input, h *History, _ *Rules) {
		h.KnownAddress = false
		in.Amount, in.Lines[0].Total, in.Lines[0].Category = 300000, 300000, "electronics"
	}, Review, "score.review")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := s.Decide(tt.in, tt.h, tt.r, tt.blocked)
			if a.Decision != tt.want || (tt.rule != "" && !slices.Contains(a.Rules, tt.rule)) || (tt.rule == "" && len(a.Rules) > 0) {
				t.Errorf("got %s, want %s with rule %q", a, tt.want, tt.rule)
			}
			if a.ModelVersion != DemoVersion || len(a.Features) != len(FeatureNames) {
				t.Errorf("model %q, %d features: want %s and %d", a.ModelVersion, len(a.Features), DemoVersion, len(FeatureNames))
			}
		})
	}
}

func TestMergeTakesTheStrictest(t *testing.T) {
	g := Rules{MaxOrders: map[string]int{"10m": 10, "1h": 20}, MaxAmount: map[string]int64{"CNY": 100000}, ResaleCategories: []string{"electronics"},
		Thresholds: &Thresholds{Review: 0.5, Block: 0.9}}
	m := Rules{MaxOrders: map[string]int{"10m": 3}, MaxAmount: map[string]int64{"CNY": 0, "USD": 500}, ResaleCategories: []string{"beauty"},
		Thresholds: &Thresholds{Review: 0.3, Block: 0.95}, MaxAddresses: 4}
	got := Merge(g, m)
	if got.MaxOrders["10m"] != 3 || got.MaxOrders["1h"] != 20 || got.MaxAmount["CNY"] != 100000 || got.MaxAmount["USD"] != 500 ||
		got.MaxAddresses != 4 || !slices.Equal(got.ResaleCategories, []string{"electronics", "beauty"}) || *got.Thresholds != (Thresholds{0.3, 0.9}) {
		t.Errorf("Merge = %+v", got)
	}
	if g.Thresholds.Review != 0.5 {
		t.Error("Merge changed its input")
	}
}

func TestRulesValidate(t *testing.T) {
	tests := []struct {
		name  string
		r     Rules
		field string
	}{
		{"ok", DefaultRules(), ""},
		{"bad window", Rules{MaxOrders: map[string]int{"5m": 1}}, "maxOrders.5m"},
		{"negative", Rules{MaxFailures: map[string]int{"1h": -1}}, "maxFailures.1h"},
		{"bad currency", Rules{MaxAmount: map[string]int64{"XXX": 1}}, "maxAmount.XXX"},
		{"thresholds", Rules{Thresholds: &Thresholds{Review: 0.9, Block: 0.1}}, "thresholds"},
		{"zone", Rules{TimeZone: "Mars/Olympus"}, "timeZone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			if tt.field == "" && err != nil || tt.field != "" && (err == nil || !strings.Contains(err.Error(), tt.field)) {
				t.Errorf("got %v, want field %q", err, tt.field)
			}
		})
	}
}

func TestAddressKeyNormalises(t *testing.T) {
	a := AddressKey("南京西路1266号", "", "上海", "200040", "CN")
	if b := AddressKey(" 南京西路 1266 号 ", "", "上海", "200-040", "cn"); a != b {
		t.Errorf("%s != %s", a, b)
	}
	if c := AddressKey("南京西路1267号", "", "上海", "200040", "CN"); a == c {
		t.Error("different addresses share a key")
	}
}

// Scoring one order (features, rules, score) is well under 50 µs.
func BenchmarkDecide(b *testing.B) {
	s, err := NewScorer(DefaultModel())
	if err != nil {
		b.Fatal(err)
	}
	o := Generate(7, 1, 0)[0]
	r := DefaultRules()
	b.ReportAllocs()
	for b.Loop() {
		s.Decide(o.Input, o.History, r, nil)
	}
}

func TestMain(m *testing.M) { os.Exit(m.Run()) }
