package forecast

import (
	"math"

	"gonum.org/v1/gonum/optimize"
)

// nelderMead minimises f from x0 with gonum's Nelder-Mead simplex, the
// method R's ets and statsforecast's ETS and Theta use. The initial simplex
// has the given per-coordinate steps. Points outside the feasible region
// should return +Inf. It returns the best point found even when the
// iteration limit stops the search.
func nelderMead(f func([]float64) float64, x0, step []float64, maxEval int) ([]float64, float64) {
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
		Converger:       &optimize.FunctionConverge{Absolute: 1e-10, Relative: 1e-10, Iterations: 100},
	}
	res, err := optimize.Minimize(optimize.Problem{Func: f}, x0, settings, nm)
	best, fbest := simplex[0], nm.InitialValues[0]
	for i, v := range nm.InitialValues {
		if v < fbest {
			best, fbest = simplex[i], v
		}
	}
	if res != nil && !math.IsNaN(res.F) && res.F <= fbest {
		return res.X, res.F
	}
	_ = err // an iteration limit still leaves the best point in res
	return best, fbest
}
