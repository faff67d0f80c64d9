package forecast

import "testing"

// Seconds per daily SKU series (730 days, weekly season, 28 days ahead);
// cmd/forecastbench compares the same work with statsforecast.
func BenchmarkDailySKU(b *testing.B) {
	y := weekly(730, 42)
	for _, name := range []string{"ets", "theta", "snaive", "croston", "imapa"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Forecast(name, y, 7, 28, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("auto", func(b *testing.B) {
		for b.Loop() {
			if _, err := Auto(y, 7, 28, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
