package forecast

import "math"

// bfgs minimises f from x0 by the BFGS quasi-Newton method with
// forward-difference gradients (central ones from the first failed line
// search on) and a backtracking (Armijo) line search —
// the method R's arima (optim) and statsforecast's (scipy.optimize.minimize)
// use, with numerical gradients as theirs. The first step is scaled to
// length one, as scipy's is. It stops when the largest gradient component
// falls below 1e-8, when an iteration improves f by less than
// relTol relative (R's criterion), when no step along the search direction (nor, after a reset,
// along the gradient) decreases f, or after maxIter iterations; converged
// is false only in the last case. Non-finite values of f count as worse
// than any finite one. The search runs on x/scale (R optim's parscale),
// so a parameter of a different order of magnitude, such as a mean, does
// not stall it; scale nil means all ones. relTol 0 means bfgsRelTol.
func bfgs(f0 func([]float64) float64, x0, scale []float64, maxIter int, relTol float64) (x []float64, fx float64, converged bool) {
	n := len(x0)
	if relTol == 0 {
		relTol = bfgsRelTol
	}
	if scale == nil {
		scale = make([]float64, n)
		for i := range scale {
			scale[i] = 1
		}
	}
	xs := make([]float64, n)
	f := func(z []float64) float64 {
		for i, v := range z {
			xs[i] = v * scale[i]
		}
		return f0(xs)
	}
	defer func() {
		for i := range x {
			x[i] *= scale[i]
		}
	}()
	x = make([]float64, n)
	for i, v := range x0 {
		x[i] = v / scale[i]
	}
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
	first, central := true, false
	for iter := 0; iter < maxIter; iter++ {
		if maxAbs(g) < 1e-8 {
			if central {
				return x, fx, true
			}
			central = true
			gradientCentral(f, x, g)
			if maxAbs(g) < 1e-8 {
				return x, fx, true
			}
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
			if !central {
				// Forward differences are too coarse this close to the
				// optimum: continue with central ones.
				central = true
				gradientCentral(f, x, g)
				iter--
				continue
			}
			if first {
				return x, fx, true
			}
			// Start again from the steepest descent direction.
			resetH()
			first = true
			iter--
			continue
		}
		if central {
			gradientCentral(f, xn, gn)
		} else {
			gradient(f, xn, fn, gn)
		}
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
		if improve <= relTol*(math.Abs(fx)+relTol) {
			if central {
				return x, fx, true
			}
			// Make sure with central differences.
			central = true
			gradientCentral(f, x, g)
		}
	}
	return x, fx, false
}

// gradient sets g to the forward-difference gradient of f at x (fx =
// f(x)) with steps of √ε·max(1, |xᵢ|), as scipy's minimize does without a
// gradient; where f is not finite ahead it steps back instead.
func gradient(f func([]float64) float64, x []float64, fx float64, g []float64) {
	for i := range x {
		xi := x[i]
		h := 1.4901161193847656e-08 * math.Max(1, math.Abs(xi))
		x[i] = xi + h
		fp := f(x)
		if !math.IsNaN(fp) && !math.IsInf(fp, 0) {
			g[i] = (fp - fx) / h
		} else {
			x[i] = xi - h
			fm := f(x)
			if !math.IsNaN(fm) && !math.IsInf(fm, 0) {
				g[i] = (fx - fm) / h
			} else {
				g[i] = 0
			}
		}
		x[i] = xi
	}
}

// gradientCentral sets g to the central-difference gradient of f at x with
// steps of 1e-6·max(1, |xᵢ|), one-sided where f is not finite on one side.
func gradientCentral(f func([]float64) float64, x []float64, g []float64) {
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
			g[i] = (fp - f(x)) / h
		case okm:
			g[i] = (f(x) - fm) / h
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

// bfgsRelTol is R optim's default reltol, sqrt of the machine epsilon: the
// search stops when an iteration improves f by less than this, relative.
const bfgsRelTol = 1.4901161193847656e-08
