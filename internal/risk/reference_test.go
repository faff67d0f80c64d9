package risk

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// refCase is one case of testdata/reference.json (testdata/reference.R):
// R's glm(family = binomial) on a dataset R ships.
type refCase struct {
	Name         string             `json:"name"`
	CSV          string             `json:"csv"`
	Label        string             `json:"label"`
	Features     []string           `json:"features"`
	Intercept    float64            `json:"intercept"`
	Coefficients map[string]float64 `json:"coefficients"`
	LogLik       float64            `json:"logLik"`
	Warned       bool               `json:"warned"`
}

func loadReference(t *testing.T) []refCase {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []refCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref.Cases
}

func (c refCase) data(t *testing.T) Dataset {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", c.CSV))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := ReadCSV(f, c.Label, c.Features)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// relErr is |got−want| relative to max(|want|, 1).
func relErr(got, want float64) float64 {
	return math.Abs(got-want) / math.Max(math.Abs(want), 1)
}

// The unpenalised fit agrees with R to 1e-6 on every coefficient and the
// log-likelihood; where R warns of separation, the fit reports it.
func TestAgreesWithR(t *testing.T) {
	const tol = 1e-6
	for _, c := range loadReference(t) {
		t.Run(c.Name, func(t *testing.T) {
			d := c.data(t)
			fit, err := FitLogistic(d.Features, d.X, d.Y, FitOptions{})
			if c.Warned {
				var sep *SeparationError
				if !errors.As(err, &sep) {
					t.Fatalf("R warns of separation; got %v, want a *SeparationError", err)
				}
				if !sep.Complete || sep.Observations != len(d.Y) {
					t.Errorf("separation %+v, want complete over all %d observations", sep, len(d.Y))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e := relErr(fit.Intercept, c.Intercept); e > tol {
				t.Errorf("intercept %.12g, R %.12g (rel err %.2g)", fit.Intercept, c.Intercept, e)
			}
			for j, f := range fit.Features {
				if e := relErr(fit.Coefficients[j], c.Coefficients[f]); e > tol {
					t.Errorf("%s %.12g, R %.12g (rel err %.2g)", f, fit.Coefficients[j], c.Coefficients[f], e)
				}
			}
			if e := relErr(fit.LogLik, c.LogLik); e > tol {
				t.Errorf("logLik %.12g, R %.12g (rel err %.2g)", fit.LogLik, c.LogLik, e)
			}
			if fit.Iterations < 1 || !(fit.AUC > 0.5 && fit.AUC <= 1) {
				t.Errorf("iterations %d, AUC %g: want ≥ 1 and in (0.5, 1]", fit.Iterations, fit.AUC)
			}
		})
	}
}
