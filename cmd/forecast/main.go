// Command forecast reads one series from standard input and prints a
// forecast as JSON:
//
//	go run ./cmd/forecast -h 12 -m 12 [-model auto|ets|theta|...] [-level 80,95] < series.csv
//
// The CSV has one value per line or date,value per line; a header line is
// optional. Bad input prints a message naming the problem on standard error
// and exits with status 2.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/jiaoyi-dev/jiaoyi/internal/forecast"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// output is the JSON printed on success.
type output struct {
	Model    string               `json:"model"`
	AICc     *float64             `json:"aicc,omitempty"`
	Forecast []float64            `json:"forecast"`
	Lower    map[string][]float64 `json:"lower"`
	Upper    map[string][]float64 `json:"upper"`
	Note     string               `json:"note,omitempty"`
}

// errUsage marks errors in the command line or the input (exit status 2).
var errUsage = errors.New("usage")

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("forecast", flag.ContinueOnError)
	fs.SetOutput(stderr)
	h := fs.Int("h", 0, "forecast horizon (steps)")
	m := fs.Int("m", 1, "season length (1 for none; 7 for daily data with a weekly season, 12 monthly)")
	model := fs.String("model", "auto", "auto (chosen by backtest), or one of: "+strings.Join(forecast.Names(), ", "))
	levelFlag := fs.String("level", "80,95", "prediction interval levels in percent, comma separated")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	out, err := forecastCSV(stdin, *h, *m, *model, *levelFlag)
	if err != nil {
		fmt.Fprintln(stderr, "forecast:", err)
		if errors.Is(err, errUsage) || isInputError(err) {
			return 2
		}
		return 1
	}
	enc := json.NewEncoder(stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(stderr, "forecast:", err)
		return 1
	}
	return 0
}

func isInputError(err error) bool {
	for _, e := range []error{forecast.ErrTooShort, forecast.ErrNonFinite, forecast.ErrNegative,
		forecast.ErrHorizon, forecast.ErrSeasonPeriod, forecast.ErrLevel, forecast.ErrUnknownModel} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func forecastCSV(in io.Reader, h, m int, model, levelFlag string) (*output, error) {
	levels, err := parseLevels(levelFlag)
	if err != nil {
		return nil, err
	}
	y, err := readSeries(in)
	if err != nil {
		return nil, err
	}
	var res *forecast.Result
	if model == "auto" {
		if err := forecast.CheckInput(y, m, h, levels); err != nil {
			return nil, err
		}
		res, err = forecast.Auto(y, m, h, levels)
	} else {
		if _, ok := forecast.Lookup(model); !ok {
			return nil, fmt.Errorf("%w: model %q is not available (have auto, %s)", errUsage, model, strings.Join(forecast.Names(), ", "))
		}
		res, err = forecast.Forecast(model, y, m, h, levels)
	}
	if err != nil {
		return nil, err
	}
	out := &output{Model: res.Model, Forecast: res.Mean, Lower: map[string][]float64{}, Upper: map[string][]float64{}, Note: res.Note}
	if res.HasAICc() {
		a := res.AICc
		out.AICc = &a
	}
	for _, l := range levels {
		k := strconv.FormatFloat(l, 'f', -1, 64)
		out.Lower[k], out.Upper[k] = res.Lower[l], res.Upper[l]
	}
	return out, nil
}

func parseLevels(s string) ([]float64, error) {
	var levels []float64
	for _, f := range strings.Split(s, ",") {
		l, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(l > 0 && l < 100) {
			return nil, fmt.Errorf("%w: -level %q: each level must be a number between 0 and 100", errUsage, f)
		}
		levels = append(levels, l)
	}
	return levels, nil
}

// readSeries reads one value per line, or date,value; a first line whose
// value is not a number is taken as a header.
func readSeries(in io.Reader) ([]float64, error) {
	sc := bufio.NewScanner(in)
	var y []float64
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if len(fields) > 2 {
			return nil, fmt.Errorf("%w: line %d: %d fields, want value or date,value", errUsage, line, len(fields))
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(fields[len(fields)-1]), 64)
		if err != nil {
			if len(y) == 0 && line == 1 {
				continue // header
			}
			return nil, fmt.Errorf("%w: line %d: %q is not a number", errUsage, line, fields[len(fields)-1])
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: line %d: value is %v", forecast.ErrNonFinite, line, v)
		}
		y = append(y, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read series: %w", err)
	}
	if len(y) == 0 {
		return nil, fmt.Errorf("%w: no values on standard input", forecast.ErrTooShort)
	}
	return y, nil
}
