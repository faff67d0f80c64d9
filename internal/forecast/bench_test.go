package forecast

import "testing"

// Seconds per daily SKU series (730 days, weekly season, 28 days ahead);
// cmd/forecastbench compares the same work with statsforecast.
func BenchmarkDailySKU(b *testing.B) {
	y := weekly(730, 42)
	for _, name := range []string{"ets", "arima", "theta", "snaive", "croston", "imapa"} {
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

// Seconds per AutoARIMA fit and forecast of each reference series
// (testdata/arima_reference.json: 90 to 245 values, seasons 1, 4 and 12).
func BenchmarkAutoARIMA(b *testing.B) {
	for _, c := range loadArimaReference(b) {
		y := c.train()
		b.Run(c.Name, func(b *testing.B) {
			for b.Loop() {
				if _, err := AutoARIMA(y, c.M, c.H, DefaultLevels); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
