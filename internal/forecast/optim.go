package forecast

import (
	"math"

	"gonum.org/v1/gonum/optimize"
)

// nelderMead minimises f from x0 with gonum's Nelder-Mead simplex, the
// method R's ets and statsforecast's ETS and Theta use. The initial simplex
// has the given per-coordinate steps. Points outside the feasible region
// should return +Inf. The search stops when the best value has not improved
// by more than tol for dim+10 iterations, or after maxEval evaluations; it
// returns the best point found either way.
func nelderMead(f func([]float64) float64, x0, step []float64, maxEval int, tol float64) ([]float64, float64) {
	x, fx, _ := nelderMeadConv(f, x0, step, maxEval, tol)
	return x, fx
}

// nelderMeadConv is nelderMead that also reports whether the search
// converged before the evaluation limit.
func nelderMeadConv(f func([]float64) float64, x0, step []float64, maxEval int, tol float64) ([]float64, float64, bool) {
	n := len(x0)
	simplex := make([][]float64, n+1)
	simplex[0] = append([]float64(nil), x0...)
	for i := range n {
		simplex[i+1] = append([]float64(nil), x0...)
		simplex[i+1][i] += step[i]
	}
	nm := &optimize.NelderMead{InitialVertices: simplex, InitialValues: make([]float64, n+1)}
	for i, v := range simplex {
		nm.InitialValues[i] = f(v)
	}
	settings := &optimize.Settings{
		FuncEvaluations: maxEval,
		Converger:       &optimize.FunctionConverge{Absolute: tol, Iterations: n + 10},
	}
	res, err := optimize.Minimize(optimize.Problem{Func: f}, x0, settings, nm)
	best, fbest := simplex[0], nm.InitialValues[0]
	for i, v := range nm.InitialValues {
		if v < fbest {
			best, fbest = simplex[i], v
		}
	}
	converged := err == nil && res != nil && res.Status != optimize.FunctionEvaluationLimit
	if res != nil && !math.IsNaN(res.F) && res.F <= fbest {
		return res.X, res.F, converged
	}
	return best, fbest, converged
}

// ETS search settings: the initial simplex step of alpha (gamma gets half)
// and the number of restarts from the optimum.
const (
	nmParStep     = 0.1
	nmMaxRestarts = 3
)
