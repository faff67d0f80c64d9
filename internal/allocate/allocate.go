// Package allocate distributes stock from sources (warehouses, with what
// they have and what is incoming) to sinks (stores, with their forecast
// demand) as a linear program: minimise transport cost plus a penalty per
// unit of demand left unmet, within each source's supply and each route's
// capacity. It is solved with gonum's simplex (optimize/convex/lp); the
// model is written here because it is a few rows of a transportation
// problem, and held to GLPK's objectives in testdata.
package allocate

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// Errors callers branch on.
var (
	// ErrInvalid means the problem is malformed (names the field).
	ErrInvalid = errors.New("allocate: invalid problem")
	// ErrInfeasible means demand without a shortage penalty cannot be met
	// from the supply and capacities given.
	ErrInfeasible = errors.New("allocate: infeasible: demand that must be met exceeds what the sources can send")
	// ErrUnbounded means the objective has no lower bound.
	ErrUnbounded = errors.New("allocate: unbounded")
)

// Source is a location stock can come from.
type Source struct {
	ID     string  `json:"id"`
	Supply float64 `json:"supply"`
}

// Sink is a location stock should go to.
type Sink struct {
	ID     string  `json:"id"`
	Demand float64 `json:"demand"`
	// ShortagePenalty is the cost per unit of demand left unmet; nil means
	// the demand must be met in full.
	ShortagePenalty *float64 `json:"shortagePenalty,omitempty"`
}

// Problem is an allocation problem.
type Problem struct {
	Sources []Source `json:"sources"`
	Sinks   []Sink   `json:"sinks"`
	// Cost[i][j] is the cost per unit from source i to sink j.
	Cost [][]float64 `json:"cost"`
	// Capacity[i][j], if given, bounds the units from source i to sink j
	// (a negative entry means no bound).
	Capacity [][]float64 `json:"capacity,omitempty"`
}

// Flow is units sent from one source to one sink.
type Flow struct {
	From  string  `json:"from"`
	To    string  `json:"to"`
	Units float64 `json:"units"`
}

// Shortage is demand a sink is left without.
type Shortage struct {
	Sink  string  `json:"sink"`
	Units float64 `json:"units"`
}

// Solution is an optimal allocation.
type Solution struct {
	Objective float64    `json:"objective"`
	Flows     []Flow     `json:"flows"`
	Shortages []Shortage `json:"shortages,omitempty"`
}

// maxSize bounds a problem (variables grow as sources × sinks).
const maxSize = 200

// Validate checks the problem's shape and values.
func (p Problem) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
	}
	m, n := len(p.Sources), len(p.Sinks)
	switch {
	case m == 0:
		return bad("sources: at least one")
	case n == 0:
		return bad("sinks: at least one")
	case m > maxSize || n > maxSize:
		return bad("at most %d sources and %d sinks", maxSize, maxSize)
	case len(p.Cost) != m:
		return bad("cost: want %d rows (one per source), got %d", m, len(p.Cost))
	case p.Capacity != nil && len(p.Capacity) != m:
		return bad("capacity: want %d rows (one per source), got %d", m, len(p.Capacity))
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	ids := map[string]bool{}
	for i, s := range p.Sources {
		if s.ID == "" || ids[s.ID] {
			return bad("sources[%d].id: missing or repeated", i)
		}
		ids[s.ID] = true
		if !finite(s.Supply) || s.Supply < 0 {
			return bad("sources[%d].supply: want a finite number ≥ 0", i)
		}
		if len(p.Cost[i]) != n {
			return bad("cost[%d]: want %d entries (one per sink), got %d", i, n, len(p.Cost[i]))
		}
		for j, c := range p.Cost[i] {
			if !finite(c) {
				return bad("cost[%d][%d]: not a finite number", i, j)
			}
		}
		if p.Capacity != nil {
			if len(p.Capacity[i]) != n {
				return bad("capacity[%d]: want %d entries, got %d", i, n, len(p.Capacity[i]))
			}
			for j, c := range p.Capacity[i] {
				if !finite(c) {
					return bad("capacity[%d][%d]: not a finite number", i, j)
				}
			}
		}
	}
	ids = map[string]bool{}
	for j, s := range p.Sinks {
		if s.ID == "" || ids[s.ID] {
			return bad("sinks[%d].id: missing or repeated", j)
		}
		ids[s.ID] = true
		if !finite(s.Demand) || s.Demand < 0 {
			return bad("sinks[%d].demand: want a finite number ≥ 0", j)
		}
		if s.ShortagePenalty != nil && (!finite(*s.ShortagePenalty) || *s.ShortagePenalty < 0) {
			return bad("sinks[%d].shortagePenalty: want a finite number ≥ 0", j)
		}
	}
	return nil
}

// Solve finds an allocation of least cost. Returns ErrInvalid,
// ErrInfeasible or ErrUnbounded.
//
// Standard form, all variables ≥ 0: x[i][j] flows, u[j] shortages (sinks
// with a penalty), s[i] unused supply, t[i][j] unused route capacity;
//
//	Σ_j x[i][j] + s[i] = supply[i]
//	Σ_i x[i][j] + u[j] = demand[j]      (u[j] absent when demand must be met)
//	x[i][j] + t[i][j] = capacity[i][j]  (bounded routes only)
//
// minimising Σ cost·x + Σ penalty·u.
func Solve(p Problem) (Solution, error) {
	if err := p.Validate(); err != nil {
		return Solution{}, err
	}
	m, n := len(p.Sources), len(p.Sinks)
	nx := m * n
	xIdx := func(i, j int) int { return i*n + j }
	col := nx
	uIdx := make([]int, n)
	for j, s := range p.Sinks {
		uIdx[j] = -1
		if s.ShortagePenalty != nil {
			uIdx[j] = col
			col++
		}
	}
	sIdx := col
	col += m
	type bound struct{ i, j, col int }
	var bounds []bound
	if p.Capacity != nil {
		for i := range m {
			for j := range n {
				if p.Capacity[i][j] >= 0 {
					bounds = append(bounds, bound{i, j, col})
					col++
				}
			}
		}
	}
	rows := m + n + len(bounds)
	A := mat.NewDense(rows, col, nil)
	b := make([]float64, rows)
	c := make([]float64, col)
	for i := range m {
		for j := range n {
			c[xIdx(i, j)] = p.Cost[i][j]
			A.Set(i, xIdx(i, j), 1)
			A.Set(m+j, xIdx(i, j), 1)
		}
		A.Set(i, sIdx+i, 1)
		b[i] = p.Sources[i].Supply
	}
	for j, s := range p.Sinks {
		if uIdx[j] >= 0 {
			A.Set(m+j, uIdx[j], 1)
			c[uIdx[j]] = *s.ShortagePenalty
		}
		b[m+j] = s.Demand
	}
	for k, bd := range bounds {
		A.Set(m+n+k, xIdx(bd.i, bd.j), 1)
		A.Set(m+n+k, bd.col, 1)
		b[m+n+k] = p.Capacity[bd.i][bd.j]
	}
	obj, x, err := lp.Simplex(c, A, b, 0, nil)
	switch {
	case errors.Is(err, lp.ErrInfeasible):
		return Solution{}, ErrInfeasible
	case errors.Is(err, lp.ErrUnbounded):
		return Solution{}, ErrUnbounded
	case err != nil:
		return Solution{}, fmt.Errorf("allocate: simplex: %w", err)
	}
	sol := Solution{Objective: obj, Flows: []Flow{}}
	const eps = 1e-9
	for i := range m {
		for j := range n {
			if v := x[xIdx(i, j)]; v > eps {
				sol.Flows = append(sol.Flows, Flow{From: p.Sources[i].ID, To: p.Sinks[j].ID, Units: v})
			}
		}
	}
	for j := range n {
		if uIdx[j] >= 0 && x[uIdx[j]] > eps {
			sol.Shortages = append(sol.Shortages, Shortage{Sink: p.Sinks[j].ID, Units: x[uIdx[j]]})
		}
	}
	sort.SliceStable(sol.Flows, func(a, b int) bool {
		if sol.Flows[a].From != sol.Flows[b].From {
			return sol.Flows[a].From < sol.Flows[b].From
		}
		return sol.Flows[a].To < sol.Flows[b].To
	})
	return sol, nil
}
