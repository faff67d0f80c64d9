package main

import (
	"math"
	"testing"
)

func TestMetrics(t *testing.T) {
	train := []float64{1, 3, 1, 3, 1, 3} // seasonal naive MAE at lag 2: 0; at lag 1: 2
	tests := []struct {
		name        string
		m           int
		test, f     []float64
		mase, smape float64
	}{
		{"lag 1 scale", 1, []float64{2, 2}, []float64{3, 1}, 0.5, (40 + 200.0/3) / 2},
		{"zero seasonal scale falls back to lag 1", 2, []float64{2, 2}, []float64{2, 2}, 0, 0},
		{"both zero counts as no error", 1, []float64{0, 4}, []float64{0, 4}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mase(train, tc.test, tc.f, tc.m); math.Abs(got-tc.mase) > 1e-12 {
				t.Errorf("mase = %v, want %v", got, tc.mase)
			}
			if got := smape(tc.test, tc.f); math.Abs(got-tc.smape) > 1e-9 {
				t.Errorf("smape = %v, want %v", got, tc.smape)
			}
		})
	}
}

func TestGeneratedIsFixed(t *testing.T) {
	a, b := generated(3, 2), generated(3, 2)
	if len(a) != 5 {
		t.Fatalf("got %d series, want 5", len(a))
	}
	for i := range a {
		if len(a[i].Train) != 730 || len(a[i].Test) != 28 {
			t.Errorf("%s: %d train, %d test, want 730 and 28", a[i].Name, len(a[i].Train), len(a[i].Test))
		}
		for j := range a[i].Train {
			if a[i].Train[j] != b[i].Train[j] || a[i].Train[j] < 0 {
				t.Fatalf("%s[%d]: %v then %v, want the same non-negative value", a[i].Name, j, a[i].Train[j], b[i].Train[j])
			}
		}
	}
}
