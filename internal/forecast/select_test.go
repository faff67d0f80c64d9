package forecast

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// weekly returns n days of demand with a weekly pattern and noise.
func weekly(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	pattern := []float64{20, 22, 25, 24, 30, 45, 40}
	y := make([]float64, n)
	for t := range y {
		y[t] = math.Max(0, pattern[t%7]+rng.NormFloat64()*2)
	}
	return y
}

// sparse returns n days of intermittent demand.
func sparse(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 9))
	y := make([]float64, n)
	for t := range y {
		if rng.Float64() < 0.2 {
			y[t] = float64(1 + rng.IntN(5))
		}
	}
	return y
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name       string
		y          []float64
		m, h       int
		candidates []string
		want       string
		wantNote   string
	}{
		{"weekly pattern beats naive", weekly(120, 1), 7, 14, []string{"naive", "snaive"}, "snaive", ""},
		{"seasonal ETS beats naive", weekly(120, 2), 7, 14, []string{"naive", "ets"}, "ets", ""},
		{"too short for a backtest", []float64{3, 4, 5, 4, 6}, 1, 2, []string{"naive", "snaive"}, "naive", "too short for a backtest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Select(tc.y, tc.m, tc.h, tc.candidates)
			if err != nil {
				t.Fatal(err)
			}
			if s.Name != tc.want {
				t.Errorf("chose %s (MASE %v), want %s", s.Name, s.MASE, tc.want)
			}
			if !strings.Contains(s.Result.Note, tc.wantNote) {
				t.Errorf("note %q, want it to contain %q", s.Result.Note, tc.wantNote)
			}
			if len(s.Result.Mean) != tc.h || len(s.Result.Lower[95]) != tc.h || len(s.Result.Upper[80]) != tc.h {
				t.Errorf("got %d means, %d lower, %d upper, want %d each", len(s.Result.Mean), len(s.Result.Lower[95]), len(s.Result.Upper[80]), tc.h)
			}
		})
	}
}

func TestDefaultCandidates(t *testing.T) {
	if got := DefaultCandidates(sparse(200, 3), 7); !containsAll(got, "croston", "sba", "tsb", "adida", "imapa", "snaive") || containsAll(got, "ets") {
		t.Errorf("intermittent candidates %v, want the intermittent methods and no ets", got)
	}
	if got := DefaultCandidates(weekly(200, 4), 7); !containsAll(got, "ets", "theta", "naive", "snaive") || containsAll(got, "croston") {
		t.Errorf("smooth candidates %v, want ets, theta, naive, snaive and no croston", got)
	}
}

func containsAll(have []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

func TestAutoIntermittent(t *testing.T) {
	y := sparse(300, 5)
	r, err := Auto(y, 7, 28, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"CrostonClassic", "CrostonSBA", "TSB", "ADIDA", "IMAPA", "Naive", "SeasonalNaive"} {
		if r.Model == name {
			return
		}
	}
	t.Errorf("Auto chose %s for intermittent demand", r.Model)
}

func TestETSFallsBackWhenNotConverged(t *testing.T) {
	saved := etsEvalBudget
	etsEvalBudget = func(int) int { return 5 }
	t.Cleanup(func() { etsEvalBudget = saved })
	r, err := ETS(weekly(84, 6), 7, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Note, "fell back") {
		t.Errorf("model %s note %q, want a fallback note", r.Model, r.Note)
	}
	if len(r.Mean) != 7 {
		t.Errorf("got %d forecasts, want 7", len(r.Mean))
	}
}

func TestETSTooShort(t *testing.T) {
	_, err := ETS([]float64{1, 2, 3, 4, 5}, 1, 2, nil)
	if !errors.Is(err, ErrTooShort) || !strings.Contains(err.Error(), "ETS") {
		t.Errorf("ETS on 5 values: error %v, want ErrTooShort for ETS", err)
	}
}
