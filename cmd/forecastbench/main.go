// Command forecastbench compares internal/forecast with statsforecast on
// the same series: seconds per series per model, and accuracy (MASE and
// sMAPE on a held-out horizon) for ours, statsforecast's and SeasonalNaive,
// and how often the held-out values fall inside our 80% and 95% intervals.
//
//	go run ./cmd/forecastbench -python .venv-forecast/bin/python
//
// The series are the reference series of internal/forecast/testdata plus
// generated daily SKU demand (730 days, weekly seasonality, fixed seed),
// smooth and intermittent. statsforecast runs in a Python process on the
// same data (bench.py beside this file); its timing excludes the Python
// start-up and one warm-up fit.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/forecast"
)

// series is one benchmark series, as written for bench.py.
type series struct {
	Name  string    `json:"name"`
	Group string    `json:"group"`
	Kind  string    `json:"kind"` // smooth or intermittent
	M     int       `json:"m"`
	H     int       `json:"h"`
	Train []float64 `json:"train"`
	Test  []float64 `json:"test"`
}

type sfResult struct {
	Mean    []float64 `json:"mean"`
	Seconds float64   `json:"seconds"`
	Error   string    `json:"error"`
}

func main() {
	python := flag.String("python", ".venv-forecast/bin/python", "Python with statsforecast installed (make bench-forecast makes it)")
	ref := flag.String("reference", "internal/forecast/testdata/reference.json", "reference series")
	daily := flag.Int("daily", 100, "generated smooth daily SKU series")
	sparse := flag.Int("intermittent", 20, "generated intermittent daily SKU series")
	flag.Parse()
	if err := run(*python, *ref, *daily, *sparse); err != nil {
		log.Fatal(err)
	}
}

func run(python, ref string, nDaily, nSparse int) error {
	all, err := referenceSeries(ref)
	if err != nil {
		return err
	}
	all = append(all, generated(nDaily, nSparse)...)
	dir, err := os.MkdirTemp("", "forecastbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json")
	b, err := json.Marshal(map[string]any{"series": all})
	if err != nil {
		return err
	}
	if err := os.WriteFile(in, b, 0o600); err != nil {
		return err
	}
	script := filepath.Join("cmd", "forecastbench", "bench.py")
	fmt.Fprintf(os.Stderr, "statsforecast on %d series ...\n", len(all))
	cmd := exec.Command(python, script, in, out)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", python, script, err)
	}
	var sf struct {
		Version string                `json:"version"`
		Series  []map[string]sfResult `json:"series"`
	}
	b, err = os.ReadFile(out)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &sf); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "ours on %d series ...\n", len(all))
	rows := map[string]*row{}
	var order []string
	get := func(group, model string) *row {
		k := group + "/" + model
		if rows[k] == nil {
			rows[k] = &row{group: group, model: model}
			order = append(order, k)
		}
		return rows[k]
	}
	for i, s := range all {
		models := []string{"arima", "ets", "theta", "snaive", "auto"}
		if s.Kind == "intermittent" {
			models = []string{"croston", "sba", "tsb", "adida", "imapa", "snaive", "auto"}
		}
		// statsforecast's intermittent models are asked for no intervals
		// (bench.py), so ours are timed without them too, then run again
		// untimed with them for the coverage columns.
		levels := forecast.DefaultLevels
		if s.Kind == "intermittent" {
			levels = []float64{}
		}
		for _, name := range models {
			fit := func(levels []float64) (*forecast.Result, error) {
				if name == "auto" {
					return forecast.Auto(s.Train, s.M, s.H, levels)
				}
				return forecast.Forecast(name, s.Train, s.M, s.H, levels)
			}
			start := time.Now()
			res, err := fit(levels)
			secs := time.Since(start).Seconds()
			if err == nil && len(levels) == 0 {
				res, err = fit(forecast.DefaultLevels)
			}
			r := get(s.Group, name)
			if err != nil {
				r.oursErr++
				continue
			}
			r.add(&r.ours, s, res.Mean, secs)
			r.cover80 += coverage(s.Test, res.Lower[80], res.Upper[80])
			r.cover95 += coverage(s.Test, res.Lower[95], res.Upper[95])
			if name == "auto" {
				continue
			}
			if o, ok := sf.Series[i][name]; ok && o.Error == "" {
				r.add(&r.sf, s, o.Mean, o.Seconds)
			} else {
				r.sfErr++
			}
		}
	}
	fmt.Printf("statsforecast %s vs internal/forecast; MASE and sMAPE on the held-out horizon, means over series\n\n", sf.Version)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "group\tmodel\tseries\tours s/series\tsf s/series\tspeed-up\tours MASE\tsf MASE\tMASE ratio\tours sMAPE\tsf sMAPE\tours 80% cover\tours 95% cover\t")
	for _, k := range order {
		r := rows[k]
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.5f\t%s\t%s\t%.3f\t%s\t%s\t%.2f\t%s\t%.0f%%\t%.0f%%\t\n", r.group, r.model, r.ours.n,
			r.ours.secs/float64(r.ours.n), opt(r.sf, func(a acc) float64 { return a.secs / float64(a.n) }, "%.5f"),
			opt(r.sf, func(a acc) float64 { return (a.secs / float64(a.n)) / (r.ours.secs / float64(r.ours.n)) }, "%.1fx"),
			r.ours.mase/float64(r.ours.n), opt(r.sf, func(a acc) float64 { return a.mase / float64(a.n) }, "%.3f"),
			opt(r.sf, func(a acc) float64 { return (r.ours.mase / float64(r.ours.n)) / (a.mase / float64(a.n)) }, "%.3f"),
			r.ours.smape/float64(r.ours.n), opt(r.sf, func(a acc) float64 { return a.smape / float64(a.n) }, "%.2f"),
			100*r.cover80/float64(r.ours.n), 100*r.cover95/float64(r.ours.n))
		if r.oursErr > 0 || r.sfErr > 0 {
			fmt.Fprintf(tw, "\t(errors: ours %d, statsforecast %d)\t\t\t\t\t\t\t\t\t\t\t\t\n", r.oursErr, r.sfErr)
		}
	}
	return tw.Flush()
}

type acc struct {
	n                 int
	secs, mase, smape float64
}

type row struct {
	group, model     string
	ours, sf         acc
	oursErr, sfErr   int
	cover80, cover95 float64 // summed per-series shares of test values inside our intervals
}

// coverage is the share of test values within [lo, hi].
func coverage(test, lo, hi []float64) float64 {
	in := 0
	for i, v := range test {
		if v >= lo[i] && v <= hi[i] {
			in++
		}
	}
	return float64(in) / float64(len(test))
}

func (r *row) add(a *acc, s series, f []float64, secs float64) {
	a.n++
	a.secs += secs
	a.mase += mase(s.Train, s.Test, f, s.M)
	a.smape += smape(s.Test, f)
}

func opt(a acc, f func(acc) float64, format string) string {
	if a.n == 0 {
		return "-"
	}
	return fmt.Sprintf(format, f(a))
}

// mase scales the forecast MAE by the in-sample MAE of the seasonal naive
// method (lag 1 when m is 1 or that MAE is zero).
func mase(train, test, f []float64, m int) float64 {
	scale := func(lag int) float64 {
		s := 0.0
		for t := lag; t < len(train); t++ {
			s += math.Abs(train[t] - train[t-lag])
		}
		return s / float64(len(train)-lag)
	}
	sc := scale(m)
	if sc == 0 {
		sc = scale(1)
	}
	if sc == 0 {
		sc = 1
	}
	e := 0.0
	for i := range test {
		e += math.Abs(test[i] - f[i])
	}
	return e / float64(len(test)) / sc
}

// smape is the symmetric MAPE in percent; a step where both are zero counts
// as zero error.
func smape(test, f []float64) float64 {
	s := 0.0
	for i := range test {
		if d := math.Abs(test[i]) + math.Abs(f[i]); d > 0 {
			s += 200 * math.Abs(test[i]-f[i]) / d
		}
	}
	return s / float64(len(test))
}

func referenceSeries(path string) ([]series, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ref struct {
		Cases []struct {
			Name   string                     `json:"name"`
			M      int                        `json:"m"`
			H      int                        `json:"h"`
			Y      []float64                  `json:"y"`
			Models map[string]json.RawMessage `json:"models"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []series
	for _, c := range ref.Cases {
		kind, group := "smooth", "reference"
		if _, ok := c.Models["croston"]; ok {
			kind, group = "intermittent", "reference-intermittent"
		}
		n := len(c.Y) - c.H
		out = append(out, series{Name: c.Name, Group: group, Kind: kind, M: c.M, H: c.H, Train: c.Y[:n], Test: c.Y[n:]})
	}
	return out, nil
}

// generated returns daily SKU demand over 730+28 days (the last 28 held
// out): nDaily smooth series with a weekly pattern, slow trend, a yearly
// swing, promotions and Poisson-like noise, and nSparse intermittent ones.
func generated(nDaily, nSparse int) []series {
	const n, h = 730 + 28, 28
	rng := rand.New(rand.NewPCG(2026, 11))
	var out []series
	for k := range nDaily {
		level := 5 + rng.Float64()*195
		week := make([]float64, 7)
		for d := range week {
			week[d] = 0.8 + 0.4*rng.Float64()
		}
		week[5] *= 1.2 + 0.5*rng.Float64()
		week[6] *= 1.1 + 0.5*rng.Float64()
		trend := (rng.Float64() - 0.4) * 0.002
		yearly := rng.Float64() * 0.2
		phase := rng.Float64() * 2 * math.Pi
		cv := 0.05 + 0.25*rng.Float64()
		y := make([]float64, n)
		for t := range y {
			mu := level * week[t%7] * (1 + trend*float64(t)) * (1 + yearly*math.Sin(2*math.Pi*float64(t)/365+phase))
			if rng.Float64() < 0.01 {
				mu *= 1.5 + rng.Float64()
			}
			y[t] = math.Max(0, math.Round(mu*(1+cv*rng.NormFloat64())))
		}
		out = append(out, series{Name: fmt.Sprintf("daily%03d", k), Group: "daily-sku", Kind: "smooth", M: 7, H: h, Train: y[:n-h], Test: y[n-h:]})
	}
	for k := range nSparse {
		p := 0.05 + 0.25*rng.Float64()
		size := 1 + 4*rng.Float64()
		y := make([]float64, n)
		for t := range y {
			if rng.Float64() < p {
				y[t] = 1 + math.Floor(rng.ExpFloat64()*size)
			}
		}
		if slices.Max(y[:n-h]) == 0 {
			y[0] = 1
		}
		out = append(out, series{Name: fmt.Sprintf("sparse%03d", k), Group: "daily-intermittent", Kind: "intermittent", M: 7, H: h, Train: y[:n-h], Test: y[n-h:]})
	}
	return out
}
