package risk

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// Thresholds turn a score into a decision: at or above Block the order is
// refused, at or above Review it is held for review after payment.
type Thresholds struct {
	Review float64 `json:"review"`
	Block  float64 `json:"block"`
}

// Validate checks 0 < Review ≤ Block ≤ 1.
func (t Thresholds) Validate() error {
	if !(t.Review > 0 && t.Review <= t.Block && t.Block <= 1) {
		return fmt.Errorf("%w: thresholds want 0 < review ≤ block ≤ 1, got review %g block %g", ErrBadModel, t.Review, t.Block)
	}
	return nil
}

// Model is a trained score with its deployed thresholds, as stored in JSON.
type Model struct {
	// Version names the model; it is recorded on every order it scores.
	Version      string             `json:"version"`
	Label        string             `json:"label"`
	Features     []string           `json:"features"`
	Intercept    float64            `json:"intercept"`
	Coefficients map[string]float64 `json:"coefficients"`
	Thresholds   Thresholds         `json:"thresholds"`
	// Training facts.
	L2         float64 `json:"l2"`
	LogLik     float64 `json:"logLik"`
	Iterations int     `json:"iterations"`
	AUC        float64 `json:"auc"`
	N          int     `json:"n"`

	// weights are Coefficients in Features order.
	weights []float64
}

// ErrBadModel is a model file that cannot be used.
var ErrBadModel = fmt.Errorf("risk: bad model")

// NewModel makes a model from a fit.
func NewModel(version, label string, f Fit, l2 float64, th Thresholds) *Model {
	m := &Model{Version: version, Label: label, Features: slices.Clone(f.Features), Intercept: f.Intercept,
		Coefficients: map[string]float64{}, Thresholds: th, L2: l2, LogLik: f.LogLik, Iterations: f.Iterations, AUC: f.AUC, N: f.N}
	for j, name := range f.Features {
		m.Coefficients[name] = f.Coefficients[j]
	}
	m.weights = slices.Clone(f.Coefficients)
	return m
}

// ParseModel reads a model's JSON. Returns ErrBadModel (wrapped) if it
// names no version or features, a coefficient is missing or not finite,
// or its thresholds are out of order.
func ParseModel(b []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadModel, err)
	}
	if m.Version == "" || len(m.Features) == 0 {
		return nil, fmt.Errorf("%w: version and features are required", ErrBadModel)
	}
	if err := m.Thresholds.Validate(); err != nil {
		return nil, err
	}
	if math.IsNaN(m.Intercept) || math.IsInf(m.Intercept, 0) {
		return nil, fmt.Errorf("%w: intercept is not finite", ErrBadModel)
	}
	m.weights = make([]float64, len(m.Features))
	for j, f := range m.Features {
		c, ok := m.Coefficients[f]
		if !ok || math.IsNaN(c) || math.IsInf(c, 0) {
			return nil, fmt.Errorf("%w: feature %q has no finite coefficient", ErrBadModel, f)
		}
		m.weights[j] = c
	}
	return &m, nil
}

// Score is P(fraud) for x, the model's features in its order.
func (m *Model) Score(x []float64) float64 {
	eta := m.Intercept
	for j, w := range m.weights {
		eta += w * x[j]
	}
	return sigmoid(eta)
}

// Bind returns, for each of the model's features, its position in names;
// an error names a feature names lack.
func (m *Model) Bind(names []string) ([]int, error) {
	pos := make([]int, len(m.Features))
	for j, f := range m.Features {
		i := slices.Index(names, f)
		if i < 0 {
			return nil, fmt.Errorf("%w: model %s uses feature %q, which is not computed", ErrBadModel, m.Version, f)
		}
		pos[j] = i
	}
	return pos, nil
}

//go:embed model/default.json
var defaultModel []byte

// DefaultModel is the shipped demo model (model/default.json, trained by
// `go run ./cmd/risk demo-model` on the seeded synthetic orders).
func DefaultModel() *Model {
	m, err := ParseModel(defaultModel)
	if err != nil {
		panic("risk: embedded model: " + err.Error())
	}
	return m
}
