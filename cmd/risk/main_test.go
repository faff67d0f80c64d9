package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTrainAndEval(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "model.json")
	var out, errb bytes.Buffer
	code := run([]string{"train", "-in", "../../internal/risk/testdata/infert.csv", "-label", "case",
		"-features", "age,parity,induced,spontaneous", "-out", model, "-version", "t1"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got struct {
		Intercept    *float64           `json:"intercept"`
		Coefficients map[string]float64 `json:"coefficients"`
		LogLik       float64            `json:"logLik"`
		Iterations   int                `json:"iterations"`
		AUC          float64            `json:"auc"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	// R: glm(case ~ age + parity + induced + spontaneous, binomial, infert)
	if got.Intercept == nil || math.Abs(*got.Intercept+2.8523903676542552) > 1e-6 || math.Abs(got.LogLik+130.47168374355917) > 1e-6 ||
		len(got.Coefficients) != 4 || got.Iterations < 1 || got.AUC < 0.5 {
		t.Errorf("train printed %s", out.String())
	}
	out.Reset()
	if code := run([]string{"eval", "-model", model, "-in", "../../internal/risk/testdata/infert.csv"}, &out, &errb); code != 0 {
		t.Fatalf("eval exit %d: %s", code, errb.String())
	}
	for _, k := range []string{`"rocAuc"`, `"prAuc"`, `"calibration"`, `"review"`, `"block"`, `"tp"`} {
		if !strings.Contains(out.String(), k) {
			t.Errorf("eval printed %s, want %s", out.String(), k)
		}
	}
}

func TestBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("y,a\n1,2\n0,abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing column", []string{"train", "-in", "../../internal/risk/testdata/mtcars.csv", "-label", "am", "-features", "hp,nope"}, `no feature column "nope"`},
		{"missing label", []string{"train", "-in", "../../internal/risk/testdata/mtcars.csv", "-label", "zz"}, `no label column "zz"`},
		{"non-numeric", []string{"train", "-in", bad, "-label", "y"}, `row 3: column "a" is "abc"`},
		{"separated", []string{"train", "-in", "../../internal/risk/testdata/mtcars_separated.csv", "-label", "am"}, "complete separation"},
		{"no label flag", []string{"train", "-in", bad}, "-label is required"},
		{"unknown command", []string{"fit"}, "unknown command"},
		{"eval without model", []string{"eval", "-in", bad}, "-model is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(tt.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("exit %d, stderr %q: want 2 saying %q", code, errb.String(), tt.want)
			}
		})
	}
}
