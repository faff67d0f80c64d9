package forecast

import "math"

// bfgs minimises f from x0 by the BFGS quasi-Newton method with
// central-difference gradients and a backtracking (Armijo) line search —
// the method R's arima (optim) and statsforecast's (scipy.optimize.minimize)
// use, with numerical gradients as theirs. The first step is scaled to
// length one, as scipy's is. It stops when the largest gradient component
// falls below 1e-8, when an iteration improves f by less than 1e-13
// relative, when no step along the search direction (nor, after a reset,
// along the gradient) decreases f, or after maxIter iterations; converged
// is false only in the last case. Non-finite values of f count as worse
// than any finite one.
func bfgs(f func([]float64) float64, x0 []float64, maxIter int) (x []float64, fx float64, converged bool) {
	n := len(x0)
	x = append([]float64(nil), x0...)
	fx = f(x)
	if n == 0 {
		return x, fx, true
	}
	if math.IsNaN(fx) || math.IsInf(fx, 0) {
		return x, fx, true
	}
	g := make([]float64, n)
	gradient(f, x, fx, g)
	H := make([]float64, n*n)
	resetH := func() {
		clear(H)
		for i := range n {
			H[i*n+i] = 1
		}
	}
	resetH()
	dir, xn, gn, s, yv, Hy := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	first := true
	for iter := 0; iter < maxIter; iter++ {
		if maxAbs(g) < 1e-8 {
			return x, fx, true
		}
		for i := range n {
			v := 0.0
			for j := range n {
				v -= H[i*n+j] * g[j]
			}
			dir[i] = v
		}
		slope := dot(dir, g)
		if !(slope < 0) {
			resetH()
			for i := range n {
				dir[i] = -g[i]
			}
			slope = dot(dir, g)
		}
		t := 1.0
		if first {
			t = math.Min(1, 1/math.Sqrt(dot(g, g)))
		}
		var fn float64
		found := false
		for range 60 {
			for i := range n {
				xn[i] = x[i] + t*dir[i]
			}
			fn = f(xn)
			if !math.IsNaN(fn) && fn <= fx+1e-4*t*slope {
				found = true
				break
			}
			t *= 0.5
		}
		if !found {
			if first {
				return x, fx, true
			}
			// Start again from the steepest descent direction.
			resetH()
			first = true
			iter--
			continue
		}
		gradient(f, xn, fn, gn)
		for i := range n {
			s[i] = xn[i] - x[i]
			yv[i] = gn[i] - g[i]
		}
		improve := fx - fn
		copy(x, xn)
		copy(g, gn)
		fx = fn
		sy := dot(s, yv)
		if sy > 1e-12*math.Sqrt(dot(s, s)*dot(yv, yv)) {
			if first {
				// Scale the initial inverse Hessian (Nocedal and Wright 6.20).
				resetH()
				sc := sy / dot(yv, yv)
				for i := range n {
					H[i*n+i] = sc
				}
			}
			// H ← (I - ρsy')H(I - ρys') + ρss'
			rho := 1 / sy
			for i := range n {
				v := 0.0
				for j := range n {
					v += H[i*n+j] * yv[j]
				}
				Hy[i] = v
			}
			yHy := dot(yv, Hy)
			for i := range n {
				for j := range n {
					H[i*n+j] += -rho*(s[i]*Hy[j]+Hy[i]*s[j]) + (rho*rho*yHy+rho)*s[i]*s[j]
				}
			}
		}
		first = false
		if improve <= 1e-13*math.Max(1, math.Abs(fx)) {
			return x, fx, true
		}
	}
	return x, fx, false
}

// gradient sets g to the central-difference gradient of f at x (fx = f(x)),
// falling back to a one-sided difference where f is not finite on one
// side.
func gradient(f func([]float64) float64, x []float64, fx float64, g []float64) {
	for i := range x {
		xi := x[i]
		h := 1e-6 * math.Max(1, math.Abs(xi))
		x[i] = xi + h
		fp := f(x)
		x[i] = xi - h
		fm := f(x)
		x[i] = xi
		okp, okm := !math.IsNaN(fp) && !math.IsInf(fp, 0), !math.IsNaN(fm) && !math.IsInf(fm, 0)
		switch {
		case okp && okm:
			g[i] = (fp - fm) / (2 * h)
		case okp:
			g[i] = (fp - fx) / h
		case okm:
			g[i] = (fx - fm) / h
		default:
			g[i] = 0
		}
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func maxAbs(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = math.Max(m, math.Abs(v))
	}
	return m
}
