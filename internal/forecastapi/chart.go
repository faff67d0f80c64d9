package forecastapi

import (
	"bytes"
	"fmt"
	"image/color"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Chart sizes.
const (
	chartWidth  = 10 * vg.Inch
	chartHeight = 4 * vg.Inch
)

// Chart renders a forecast as a PNG with gonum/plot: the daily history, the
// forecast mean, and its 80% and 95% intervals as bands. The title names
// the SKU, location and model (the plot's fonts have Latin glyphs only, so
// no product name).
func Chart(f Forecast, zone *time.Location) ([]byte, error) {
	p := plot.New()
	title := f.SKUID
	if f.Location != "" {
		title += " at " + f.Location
	}
	p.Title.Text = title + " · " + f.Model
	p.Y.Label.Text = "units a day"
	p.X.Tick.Marker = plot.TimeTicks{Format: "2006-01-02", Time: func(t float64) time.Time { return time.Unix(int64(t), 0).In(zone) }}
	p.Y.Min = 0
	day := func(s string) (float64, error) {
		t, err := time.ParseInLocation("2006-01-02", s, zone)
		return float64(t.Unix()), err
	}

	hist := make(plotter.XYs, 0, len(f.History))
	for _, d := range f.History {
		x, err := day(d.Date)
		if err != nil {
			return nil, fmt.Errorf("chart: history date %q: %w", d.Date, err)
		}
		hist = append(hist, plotter.XY{X: x, Y: float64(d.Units)})
	}
	mean := make(plotter.XYs, 0, len(f.Forecast))
	band := map[string][2]plotter.XYs{}
	for _, pt := range f.Forecast {
		x, err := day(pt.Date)
		if err != nil {
			return nil, fmt.Errorf("chart: forecast date %q: %w", pt.Date, err)
		}
		mean = append(mean, plotter.XY{X: x, Y: pt.Mean})
		for _, level := range []string{"80", "95"} {
			b := band[level]
			b[0] = append(b[0], plotter.XY{X: x, Y: pt.Lower[level]})
			b[1] = append(b[1], plotter.XY{X: x, Y: pt.Upper[level]})
			band[level] = b
		}
	}
	// The wider band first, so the narrower one shows on top of it.
	for _, level := range []struct {
		name string
		fill color.Color
	}{{"95", color.RGBA{R: 198, G: 219, B: 239, A: 255}}, {"80", color.RGBA{R: 158, G: 202, B: 225, A: 255}}} {
		b := band[level.name]
		if len(b[0]) == 0 {
			continue
		}
		outline := append(plotter.XYs{}, b[1]...)
		for i := len(b[0]) - 1; i >= 0; i-- {
			outline = append(outline, b[0][i])
		}
		poly, err := plotter.NewPolygon(outline)
		if err != nil {
			return nil, fmt.Errorf("chart: %s%% band: %w", level.name, err)
		}
		poly.Color, poly.LineStyle.Width = level.fill, 0
		p.Add(poly)
		p.Legend.Add(level.name+"% interval", poly)
	}
	if len(hist) > 0 {
		l, err := plotter.NewLine(hist)
		if err != nil {
			return nil, fmt.Errorf("chart: history: %w", err)
		}
		l.Color = color.RGBA{R: 80, G: 80, B: 80, A: 255}
		p.Add(l)
		p.Legend.Add("history", l)
	}
	if len(mean) > 0 {
		l, err := plotter.NewLine(mean)
		if err != nil {
			return nil, fmt.Errorf("chart: forecast: %w", err)
		}
		l.Color, l.Width = color.RGBA{R: 8, G: 81, B: 156, A: 255}, vg.Points(1.5)
		p.Add(l)
		p.Legend.Add("forecast", l)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	w, err := p.WriterTo(chartWidth, chartHeight, "png")
	if err != nil {
		return nil, fmt.Errorf("chart: render: %w", err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encode: %w", err)
	}
	return buf.Bytes(), nil
}
