// Command risk trains and evaluates risk control's logistic-regression
// model (internal/risk).
//
//	go run ./cmd/risk train -in data.csv -label COLUMN [-features a,b,c] [-l2 0] [-out model.json] [-version v] [-review 0.35 -block 0.9]
//	go run ./cmd/risk eval -model model.json -in holdout.csv
//	go run ./cmd/risk gen -seed 1 -n 20000 [-fraud-rate 0.05] -out orders.csv
//	go run ./cmd/risk demo-model [-out internal/risk/model/default.json]
//
// train prints {"intercept","coefficients","logLik","iterations","auc"};
// eval prints ROC AUC, PR AUC, calibration by decile and the confusion
// matrix at the model's review and block thresholds. Bad input (a missing
// column, a value that is not a number, unusable data, separated labels)
// is reported on stderr with exit status 2.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jiaoyi-dev/jiaoyi/internal/risk"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is bad input: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: risk train|eval|gen|demo-model [flags]")
		return 2
	}
	var err error
	switch args[0] {
	case "train":
		err = train(args[1:], stdout, stderr)
	case "eval":
		err = eval(args[1:], stdout, stderr)
	case "gen":
		err = gen(args[1:], stderr)
	case "demo-model":
		err = demo(args[1:], stdout, stderr)
	default:
		err = usageError{fmt.Errorf("unknown command %q: want train, eval, gen or demo-model", args[0])}
	}
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "risk:", err)
	var ue usageError
	var sep *risk.SeparationError
	if errors.As(err, &ue) || errors.As(err, &sep) || errors.Is(err, risk.ErrInput) || errors.Is(err, risk.ErrBadData) || errors.Is(err, risk.ErrBadModel) {
		return 2
	}
	return 1
}

func flags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))}
	}
	return nil
}

func readData(path, label string, features []string) (risk.Dataset, error) {
	if path == "" {
		return risk.Dataset{}, usageError{errors.New("-in is required")}
	}
	f, err := os.Open(path)
	if err != nil {
		return risk.Dataset{}, usageError{err}
	}
	defer f.Close()
	d, err := risk.ReadCSV(f, label, features)
	if err != nil {
		return risk.Dataset{}, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// trainOutput is what train prints.
type trainOutput struct {
	Intercept    float64            `json:"intercept"`
	Coefficients map[string]float64 `json:"coefficients"`
	LogLik       float64            `json:"logLik"`
	Iterations   int                `json:"iterations"`
	AUC          float64            `json:"auc"`
}

func train(args []string, stdout, stderr io.Writer) error {
	fs := flags("train", stderr)
	in := fs.String("in", "", "training CSV with a header row")
	label := fs.String("label", "", "the 0/1 label column")
	feats := fs.String("features", "", "comma-separated feature columns (default: every other column)")
	l2 := fs.Float64("l2", 0, "L2 penalty on standardised coefficients (0: maximum likelihood, as R's glm)")
	out := fs.String("out", "", "write the model JSON here")
	version := fs.String("version", "custom", "the model's version, recorded on every order it scores")
	review := fs.Float64("review", risk.DemoThresholds.Review, "score at or above which orders go to review")
	block := fs.Float64("block", risk.DemoThresholds.Block, "score at or above which orders are blocked")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *label == "" {
		return usageError{errors.New("-label is required")}
	}
	th := risk.Thresholds{Review: *review, Block: *block}
	if err := th.Validate(); err != nil {
		return usageError{err}
	}
	var features []string
	if *feats != "" {
		features = strings.Split(*feats, ",")
	}
	d, err := readData(*in, *label, features)
	if err != nil {
		return err
	}
	fit, err := risk.FitLogistic(d.Features, d.X, d.Y, risk.FitOptions{L2: *l2})
	if err != nil {
		return err
	}
	m := risk.NewModel(*version, *label, fit, *l2, th)
	if *out != "" {
		if err := writeJSON(*out, m); err != nil {
			return err
		}
	}
	return printJSON(stdout, trainOutput{Intercept: m.Intercept, Coefficients: m.Coefficients, LogLik: m.LogLik, Iterations: m.Iterations, AUC: m.AUC})
}

func eval(args []string, stdout, stderr io.Writer) error {
	fs := flags("eval", stderr)
	modelPath := fs.String("model", "", "model JSON (from train)")
	in := fs.String("in", "", "held-out CSV with the model's label and feature columns")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *modelPath == "" {
		return usageError{errors.New("-model is required")}
	}
	b, err := os.ReadFile(*modelPath)
	if err != nil {
		return usageError{err}
	}
	m, err := risk.ParseModel(b)
	if err != nil {
		return fmt.Errorf("%s: %w", *modelPath, err)
	}
	d, err := readData(*in, m.Label, m.Features)
	if err != nil {
		return err
	}
	return printJSON(stdout, evalOutput(m, d))
}

type evalResult struct {
	Model string `json:"model"`
	risk.Report
}

func evalOutput(m *risk.Model, d risk.Dataset) evalResult {
	return evalResult{Model: m.Version, Report: m.Evaluate(d.X, d.Y)}
}

func gen(args []string, stderr io.Writer) error {
	fs := flags("gen", stderr)
	seed := fs.Uint64("seed", 1, "generator seed")
	n := fs.Int("n", 20000, "orders to generate")
	rate := fs.Float64("fraud-rate", risk.DemoFraudRate, "share of orders from fraud patterns")
	out := fs.String("out", "", "write the CSV here (label column: fraud)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" || *n < 1 || *rate < 0 || *rate > 1 {
		return usageError{errors.New("-out is required, -n ≥ 1 and 0 ≤ -fraud-rate ≤ 1")}
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	d := risk.SyntheticDataset(risk.Generate(*seed, *n, *rate), risk.DefaultRules())
	if err := d.WriteCSV(f, "fraud"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func demo(args []string, stdout, stderr io.Writer) error {
	fs := flags("demo-model", stderr)
	out := fs.String("out", "internal/risk/model/default.json", "where the shipped model lives")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := risk.TrainDemo()
	if err != nil {
		return err
	}
	if err := writeJSON(*out, m); err != nil {
		return err
	}
	return printJSON(stdout, evalOutput(m, risk.DemoHoldout()))
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
