package forecastapi_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/demand"
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
)

// The chart is a PNG of the plot's size that draws the history, the
// forecast line and both interval bands in their colours.
func TestChart(t *testing.T) {
	zone, _ := time.LoadLocation("Asia/Shanghai")
	f := forecastapi.Forecast{SKUID: "sku_aaaaaaaaaaaaaaaa", Model: "ETS(A,N,A)"}
	start := time.Date(2026, 8, 1, 0, 0, 0, 0, zone)
	for d := range 60 {
		f.History = append(f.History, demand.Day{Date: start.AddDate(0, 0, d).Format("2006-01-02"), Units: int64(5 + d%7)})
	}
	for d := range 28 {
		f.Forecast = append(f.Forecast, forecastapi.Point{Date: start.AddDate(0, 0, 60+d).Format("2006-01-02"), Mean: 8,
			Lower: map[string]float64{"80": 6, "95": 4}, Upper: map[string]float64{"80": 10, "95": 12}})
	}
	raw, err := forecastapi.Chart(f, zone)
	if err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("JIAOYI_CHART_OUT"); out != "" {
		_ = os.WriteFile(out, raw, 0o644) // to look at it
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 960 || b.Dy() != 384 {
		t.Errorf("size %v, want 960×384", b)
	}
	want := map[string]color.RGBA{
		"95% band": {R: 198, G: 219, B: 239, A: 255}, "80% band": {R: 158, G: 202, B: 225, A: 255},
		"forecast": {R: 8, G: 81, B: 156, A: 255}, "history": {R: 80, G: 80, B: 80, A: 255},
	}
	seen := count(img, want)
	for name, n := range seen {
		if n < 50 {
			t.Errorf("%s: %d pixels of its colour, want a visible shape", name, n)
		}
	}
	if _, err := forecastapi.Chart(forecastapi.Forecast{History: []demand.Day{{Date: "2026-02-30"}}}, zone); err == nil {
		t.Error("a bad date rendered")
	}
}

func count(img image.Image, colours map[string]color.RGBA) map[string]int {
	out := map[string]int{}
	for name := range colours {
		out[name] = 0
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			for name, c := range colours {
				if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
					out[name]++
				}
			}
		}
	}
	return out
}
