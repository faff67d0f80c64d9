package allocate

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"
)

type reference struct {
	Solver   string `json:"solver"`
	Problems []struct {
		Name    string          `json:"name"`
		Problem Problem         `json:"problem"`
		GLPK    json.RawMessage `json:"glpk"`
	} `json:"problems"`
}

// Objectives agree with GLPK's (testdata/gen_reference.py) to 1e-6
// relative, and each solution is feasible: supplies, capacities and
// must-meet demands hold, and the objective is what the flows cost.
func TestAgainstGLPK(t *testing.T) {
	raw, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	for _, tc := range ref.Problems {
		t.Run(tc.Name, func(t *testing.T) {
			sol, err := Solve(tc.Problem)
			if string(tc.GLPK) == `"infeasible"` {
				if !errors.Is(err, ErrInfeasible) {
					t.Fatalf("GLPK finds it infeasible; Solve = %+v, %v", sol, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want float64
			if err := json.Unmarshal(tc.GLPK, &want); err != nil {
				t.Fatal(err)
			}
			if math.Abs(sol.Objective-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Errorf("objective %.9g, GLPK %.9g", sol.Objective, want)
			}
			checkFeasible(t, tc.Problem, sol)
		})
	}
}

func checkFeasible(t *testing.T, p Problem, sol Solution) {
	t.Helper()
	const tol = 1e-6
	sent, got := map[string]float64{}, map[string]float64{}
	idx := map[string]int{}
	for j, s := range p.Sinks {
		idx[s.ID] = j
	}
	src := map[string]int{}
	for i, s := range p.Sources {
		src[s.ID] = i
	}
	var cost float64
	for _, f := range sol.Flows {
		i, j := src[f.From], idx[f.To]
		sent[f.From] += f.Units
		got[f.To] += f.Units
		cost += f.Units * p.Cost[i][j]
		if p.Capacity != nil && p.Capacity[i][j] >= 0 && f.Units > p.Capacity[i][j]+tol {
			t.Errorf("%s→%s carries %g over capacity %g", f.From, f.To, f.Units, p.Capacity[i][j])
		}
	}
	short := map[string]float64{}
	for _, s := range sol.Shortages {
		short[s.Sink] = s.Units
		cost += s.Units * *p.Sinks[idx[s.Sink]].ShortagePenalty
	}
	for _, s := range p.Sources {
		if sent[s.ID] > s.Supply+tol {
			t.Errorf("%s sends %g of %g", s.ID, sent[s.ID], s.Supply)
		}
	}
	for _, s := range p.Sinks {
		if math.Abs(got[s.ID]+short[s.ID]-s.Demand) > tol {
			t.Errorf("%s gets %g + short %g, demand %g", s.ID, got[s.ID], short[s.ID], s.Demand)
		}
	}
	if math.Abs(cost-sol.Objective) > 1e-6*math.Max(1, cost) {
		t.Errorf("flows cost %g, objective says %g", cost, sol.Objective)
	}
}

func TestInvalidProblems(t *testing.T) {
	pen := -1.0
	tests := []struct {
		name string
		p    Problem
	}{
		{"no sources", Problem{Sinks: []Sink{{ID: "a", Demand: 1}}}},
		{"no sinks", Problem{Sources: []Source{{ID: "a", Supply: 1}}, Cost: [][]float64{{}}}},
		{"cost rows", Problem{Sources: []Source{{ID: "a", Supply: 1}}, Sinks: []Sink{{ID: "b", Demand: 1}}}},
		{"cost columns", Problem{Sources: []Source{{ID: "a", Supply: 1}}, Sinks: []Sink{{ID: "b", Demand: 1}}, Cost: [][]float64{{1, 2}}}},
		{"negative supply", Problem{Sources: []Source{{ID: "a", Supply: -1}}, Sinks: []Sink{{ID: "b", Demand: 1}}, Cost: [][]float64{{1}}}},
		{"NaN cost", Problem{Sources: []Source{{ID: "a", Supply: 1}}, Sinks: []Sink{{ID: "b", Demand: 1}}, Cost: [][]float64{{math.NaN()}}}},
		{"negative penalty", Problem{Sources: []Source{{ID: "a", Supply: 1}}, Sinks: []Sink{{ID: "b", Demand: 1, ShortagePenalty: &pen}}, Cost: [][]float64{{1}}}},
		{"repeated id", Problem{Sources: []Source{{ID: "a", Supply: 1}, {ID: "a", Supply: 1}}, Sinks: []Sink{{ID: "b", Demand: 1}}, Cost: [][]float64{{1}, {1}}}},
	}
	for _, tc := range tests {
		if _, err := Solve(tc.p); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tc.name, err)
		}
	}
}
