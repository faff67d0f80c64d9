package forecast

import (
	"slices"
	"testing"
)

// Asked for no intervals (empty levels), every model gives the same
// point forecast as with the default ones, and no intervals.
func TestNoIntervals(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			y := weekly(120, 5)
			if name == "croston" || name == "sba" || name == "tsb" || name == "adida" || name == "imapa" {
				y = sparse(120, 5)
			}
			with, err := Forecast(name, y, 7, 14, nil)
			if err != nil {
				t.Fatal(err)
			}
			without, err := Forecast(name, y, 7, 14, []float64{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(with.Mean, without.Mean) {
				t.Errorf("mean without intervals %v, with them %v", without.Mean, with.Mean)
			}
			if len(without.Lower) != 0 || len(without.Upper) != 0 {
				t.Errorf("intervals without levels: %v %v", without.Lower, without.Upper)
			}
			if len(with.Lower[80]) != 14 || len(with.Upper[95]) != 14 {
				t.Errorf("default intervals missing: %v", with.Lower)
			}
		})
	}
}
