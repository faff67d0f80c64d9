package forecast

import (
	"errors"
	"math"
	"testing"
)

func TestCheckInput(t *testing.T) {
	y24 := make([]float64, 24)
	for i := range y24 {
		y24[i] = float64(i%7 + 1)
	}
	with := func(i int, v float64) []float64 {
		y := append([]float64(nil), y24...)
		y[i] = v
		return y
	}
	tests := []struct {
		name   string
		y      []float64
		m, h   int
		levels []float64
		want   error
	}{
		{"ok", y24, 7, 14, DefaultLevels, nil},
		{"one value", []float64{3}, 1, 1, nil, ErrTooShort},
		{"NaN", with(3, math.NaN()), 1, 1, nil, ErrNonFinite},
		{"Inf", with(5, math.Inf(1)), 1, 1, nil, ErrNonFinite},
		{"negative", with(2, -1), 1, 1, nil, ErrNegative},
		{"season over half", y24, 13, 1, nil, ErrSeasonPeriod},
		{"season zero", y24, 0, 1, nil, ErrSeasonPeriod},
		{"horizon zero", y24, 1, 0, nil, ErrHorizon},
		{"daily horizon over two years", y24, 7, 731, nil, ErrHorizon},
		{"daily horizon two years", y24, 7, 730, nil, nil},
		{"monthly horizon over two years", y24, 12, 25, nil, ErrHorizon},
		{"level 100", y24, 1, 1, []float64{100}, ErrLevel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckInput(tc.y, tc.m, tc.h, tc.levels)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("CheckInput = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestForecastUnknownModel(t *testing.T) {
	_, err := Forecast("prophet", []float64{1, 2, 3}, 1, 1, nil)
	if !errors.Is(err, ErrUnknownModel) {
		t.Errorf("Forecast(prophet) error = %v, want ErrUnknownModel", err)
	}
}

func TestRegisterExtendsAuto(t *testing.T) {
	const name = "test-mean"
	Register(name, func(y []float64, m, h int, levels []float64) (*Result, error) {
		r := &Result{Model: "Mean", AICc: math.NaN(), Mean: repeat(mean(y), h)}
		normalIntervals(r, levels, repeat(1, h))
		return r, nil
	})
	t.Cleanup(func() {
		registry.Lock()
		delete(registry.m, name)
		registry.Unlock()
	})
	// White noise around 10: the mean beats naive in a backtest.
	y := []float64{9, 11, 10, 12, 8, 10, 11, 9, 10, 12, 8, 11, 9, 10, 11, 9, 12, 8, 10, 10}
	s, err := Select(y, 1, 4, []string{"naive", name})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != name {
		t.Errorf("Select chose %q (MASE %v), want %q", s.Name, s.MASE, name)
	}
	if got := DefaultCandidates(y, 1); got[len(got)-1] != name {
		t.Errorf("DefaultCandidates = %v, want the registered %q last", got, name)
	}
}
