package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	series := "date,value\n" + strings.Repeat("2024-01-01,5\n2024-01-02,7\n2024-01-03,6\n", 8)
	tests := []struct {
		name     string
		args     []string
		in       string
		wantCode int
		wantErr  string // substring of stderr
		wantKey  string // key present in the JSON output
		wantAICc bool   // whether the output carries an AICc
	}{
		{"naive with header", []string{"-h", "3", "-model", "naive"}, series, 0, "", "forecast", false},
		{"plain values", []string{"-h", "2", "-model", "snaive", "-m", "3"}, "5\n7\n6\n5\n7\n6\n5\n7\n", 0, "", "upper", false},
		{"negative", []string{"-h", "2", "-model", "naive"}, "1\n-2\n3\n", 2, "negative", "", false},
		{"not a number", []string{"-h", "2"}, "1\n2\nabc\n", 2, `line 3: "abc" is not a number`, "", false},
		{"horizon", []string{"-h", "800", "-model", "naive"}, series, 2, "horizon", "", false},
		{"season", []string{"-h", "2", "-m", "20", "-model", "naive"}, series, 2, "season length", "", false},
		{"too short for ets", []string{"-h", "1", "-model", "ets"}, "1\n2\n3\n4\n5\n", 2, "series too short for ETS", "", false},
		{"arima", []string{"-h", "2", "-model", "arima"}, series, 0, "", "forecast", true},
		{"unknown model", []string{"-h", "2", "-model", "prophet"}, series, 2, "not available", "", false},
		{"bad level", []string{"-h", "2", "-level", "80,abc"}, series, 2, "-level", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tc.args, strings.NewReader(tc.in), &out, &errb)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.wantCode, errb.String())
			}
			if !strings.Contains(errb.String(), tc.wantErr) {
				t.Errorf("stderr %q, want it to contain %q", errb.String(), tc.wantErr)
			}
			if tc.wantKey != "" {
				var got map[string]any
				if err := json.Unmarshal(out.Bytes(), &got); err != nil {
					t.Fatalf("output %q: %v", out.String(), err)
				}
				if _, ok := got[tc.wantKey]; !ok {
					t.Errorf("output %s has no %q", out.String(), tc.wantKey)
				}
				if _, ok := got["aicc"]; ok != tc.wantAICc {
					t.Errorf("output %s: aicc present %v, want %v", out.String(), ok, tc.wantAICc)
				}
			}
		})
	}
}

// TestRunArima forecasts a seasonal series with -model arima: the output
// names the ARIMA model chosen and carries its AICc.
func TestRunArima(t *testing.T) {
	var in strings.Builder
	for d := range 84 {
		fmt.Fprintf(&in, "%d\n", []int{20, 22, 25, 24, 30, 45, 40}[d%7]+(d*d)%5+d/7)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"-h", "14", "-m", "7", "-model", "arima"}, strings.NewReader(in.String()), &out, &errb); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	var got struct {
		Model    string               `json:"model"`
		AICc     *float64             `json:"aicc"`
		Forecast []float64            `json:"forecast"`
		Lower    map[string][]float64 `json:"lower"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Model, "ARIMA(") || got.AICc == nil || len(got.Forecast) != 14 || len(got.Lower["95"]) != 14 {
		t.Errorf("output %s: want an ARIMA model with its AICc, 14 forecasts and 14 lower bounds at 95", out.String())
	}
	t.Logf("%s", out.String())
}

func TestRunAuto(t *testing.T) {
	var in strings.Builder
	for d := range 70 {
		fmt.Fprintf(&in, "%d\n", []int{20, 22, 25, 24, 30, 45, 40}[d%7]+d%3)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"-h", "14", "-m", "7", "-level", "90"}, strings.NewReader(in.String()), &out, &errb); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	var got struct {
		Model    string               `json:"model"`
		Forecast []float64            `json:"forecast"`
		Lower    map[string][]float64 `json:"lower"`
		Upper    map[string][]float64 `json:"upper"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Model == "" || len(got.Forecast) != 14 || len(got.Lower["90"]) != 14 || len(got.Upper["90"]) != 14 {
		t.Errorf("output %s: want a model, 14 forecasts and 14 bounds at level 90", out.String())
	}
}
