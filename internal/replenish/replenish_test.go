package replenish

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   Input
		// hand-checked
		dist          string
		rop, ss, qty  float64
		orderByInDays float64
	}{
		{
			// μ = 10·7 = 70; σ² = 7·3² + 10²·2² = 63 + 400 = 463, σ = 21.517;
			// z(0.95) = 1.644854; ROP = 70 + 35.393 = 105.393.
			name: "smooth, lead time varies", in: Input{DailyMean: 10, DailySD: 3, LeadTimeDays: 7, LeadTimeSD: 2, ServiceLevel: 0.95, OnHand: 60, ReviewDays: 7},
			dist: "normal", rop: 105.393, ss: 35.393, qty: 116, orderByInDays: 0, // 105.393 + 70 − 60 = 115.39 → 116
		},
		{
			// Same with 300 on hand: (300 − 105.393)/10 = 19.46 days to the ROP.
			name: "smooth, plenty on hand", in: Input{DailyMean: 10, DailySD: 3, LeadTimeDays: 7, LeadTimeSD: 2, ServiceLevel: 0.95, OnHand: 300, ReviewDays: 7},
			dist: "normal", rop: 105.393, ss: 35.393, qty: 0, orderByInDays: 19.4607,
		},
		{
			// Intermittent, variance ≤ mean: Poisson(λ = 0.2·10 = 2); σ² = 10·0.1 = 1 ≤ 2.
			// P(X ≤ 4) = 0.9473, P(X ≤ 5) = 0.9834 → ROP 5 at 95%.
			name: "intermittent, poisson", in: Input{Intermittent: true, DailyMean: 0.2, DailySD: math.Sqrt(0.1), LeadTimeDays: 10, ServiceLevel: 0.95, OnHand: 1, PackSize: 6},
			dist: "poisson", rop: 5, ss: 3, qty: 6, orderByInDays: 0, // 5 − 1 = 4 → a pack of 6
		},
		{
			// Intermittent, overdispersed: μ = 0.3·10 = 3, σ² = 10·0.9 = 9:
			// p = 1/3, r = 1.5. From Γ-function pmfs (Python's lgamma):
			// P(X ≤ 8) = 0.9422, P(X ≤ 9) = 0.9598 → ROP 9.
			name: "intermittent, negative binomial", in: Input{Intermittent: true, DailyMean: 0.3, DailySD: math.Sqrt(0.9), LeadTimeDays: 10, ServiceLevel: 0.95, OnHand: 2, MinOrder: 10},
			dist: "negative-binomial", rop: 9, ss: 6, qty: 10, orderByInDays: 0, // 9 − 2 = 7 → the minimum order, 10
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Decide(tc.in, now)
			if err != nil {
				t.Fatal(err)
			}
			if d.Distribution != tc.dist || math.Abs(d.ReorderPoint-tc.rop) > 1e-3 || math.Abs(d.SafetyStock-tc.ss) > 1e-3 || d.OrderQuantity != tc.qty {
				t.Errorf("%+v; want %s rop %g ss %g qty %g", d, tc.dist, tc.rop, tc.ss, tc.qty)
			}
			if got := d.OrderBy.Sub(now).Hours() / 24; math.Abs(got-tc.orderByInDays) > 1e-3 {
				t.Errorf("order by in %.4f days, want %.4f", got, tc.orderByInDays)
			}
		})
	}
}

// negBinomCDF against closed forms: r = 1 is geometric; and against the
// Γ-function pmf for r = 1.5, p = 1/3 (values from Python's math.lgamma).
func TestNegBinomCDF(t *testing.T) {
	for k, want := range map[float64]float64{0: 0.1925, 3: 0.6700, 8: 0.9422, 9: 0.9598, 10: 0.9722} {
		if got := negBinomCDF(k, 1.5, 1.0/3); math.Abs(got-want) > 5e-5 {
			t.Errorf("r=1.5 k=%g: %.4f, want %.4f", k, got, want)
		}
	}
	// r = 1 is geometric: P(X ≤ k) = 1 − (1−p)^(k+1).
	for _, k := range []float64{0, 1, 5, 20} {
		if got, want := negBinomCDF(k, 1, 0.3), 1-math.Pow(0.7, k+1); math.Abs(got-want) > 1e-12 {
			t.Errorf("k=%g: %g, want %g", k, got, want)
		}
	}
}

func TestInvalid(t *testing.T) {
	for _, in := range []Input{
		{DailyMean: -1, LeadTimeDays: 1, ServiceLevel: 0.9},
		{DailyMean: 1, LeadTimeDays: 0, ServiceLevel: 0.9},
		{DailyMean: 1, LeadTimeDays: 1, ServiceLevel: 1},
		{DailyMean: math.NaN(), LeadTimeDays: 1, ServiceLevel: 0.9},
	} {
		if _, err := Decide(in, time.Now()); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", in, err)
		}
	}
}
