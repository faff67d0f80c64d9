// Package replenish turns a SKU's demand forecast at a location into
// inventory decisions: safety stock, reorder point, how much to order and
// by when, for a target service level over the supplier's lead time. It is
// pure arithmetic (gonum for the distributions).
//
// Lead-time demand D_L over a lead time L (days) with daily demand of mean
// d and standard deviation σ_d, and lead time of mean L̄ and standard
// deviation σ_L, has mean d·L̄ and variance L̄·σ_d² + d²·σ_L² (demand and
// lead time independent). Smooth demand uses the normal quantile of the
// service level; intermittent demand (many zero days) is skewed and
// discrete, so it uses the negative binomial (or Poisson when the variance
// does not exceed the mean) with the same mean and variance.
package replenish

import (
	"errors"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// ErrInvalid means an input is out of range (names it).
var ErrInvalid = errors.New("replenish: invalid input")

// Input is what the decision needs for one SKU at one location.
type Input struct {
	// DailyMean and DailySD describe forecast daily demand (units).
	DailyMean, DailySD float64
	// LeadTimeDays and LeadTimeSD describe the supplier's lead time.
	LeadTimeDays, LeadTimeSD float64
	// ServiceLevel is the target probability of no stock-out in a cycle (0.5–0.9999).
	ServiceLevel float64
	// Intermittent says the demand has many zero days.
	Intermittent bool
	// OnHand and OnOrder are the stock at the location and already ordered.
	OnHand, OnOrder float64
	// ReviewDays is how often orders are placed (the cycle stock covers it);
	// MinOrder and PackSize round the order (0: none).
	ReviewDays, MinOrder, PackSize float64
}

// Decision is what to do.
type Decision struct {
	LeadTimeDemandMean float64 `json:"leadTimeDemandMean"`
	LeadTimeDemandSD   float64 `json:"leadTimeDemandSd"`
	SafetyStock        float64 `json:"safetyStock"`
	ReorderPoint       float64 `json:"reorderPoint"`
	// Distribution used for the quantile: normal, poisson or negative-binomial.
	Distribution string `json:"distribution"`
	// OrderQuantity is what to order now (0: no need yet).
	OrderQuantity float64 `json:"orderQuantity"`
	// DaysOfCover is how long the stock position lasts at mean demand.
	DaysOfCover float64 `json:"daysOfCover"`
	// OrderBy is when the position will reach the reorder point at mean
	// demand (now if it already has).
	OrderBy time.Time `json:"orderBy"`
}

func (in Input) validate() error {
	bad := func(f string) error { return fmt.Errorf("%w: %s", ErrInvalid, f) }
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	for name, v := range map[string]float64{"dailyMean": in.DailyMean, "dailySd": in.DailySD, "leadTimeDays": in.LeadTimeDays,
		"leadTimeSd": in.LeadTimeSD, "onHand": in.OnHand, "onOrder": in.OnOrder, "reviewDays": in.ReviewDays,
		"minOrder": in.MinOrder, "packSize": in.PackSize} {
		if !finite(v) || v < 0 {
			return bad(name + " must be a finite number ≥ 0")
		}
	}
	if in.LeadTimeDays == 0 {
		return bad("leadTimeDays must be positive")
	}
	if !(in.ServiceLevel >= 0.5 && in.ServiceLevel <= 0.9999) {
		return bad("serviceLevel must be from 0.5 to 0.9999")
	}
	return nil
}

// Decide computes the decision at now.
func Decide(in Input, now time.Time) (Decision, error) {
	if err := in.validate(); err != nil {
		return Decision{}, err
	}
	mean := in.DailyMean * in.LeadTimeDays
	variance := in.LeadTimeDays*in.DailySD*in.DailySD + in.DailyMean*in.DailyMean*in.LeadTimeSD*in.LeadTimeSD
	sd := math.Sqrt(variance)
	d := Decision{LeadTimeDemandMean: mean, LeadTimeDemandSD: sd}
	switch {
	case mean == 0:
		d.Distribution, d.ReorderPoint = "none", 0
	case !in.Intermittent:
		d.Distribution = "normal"
		d.ReorderPoint = mean + distuv.UnitNormal.Quantile(in.ServiceLevel)*sd
	case variance <= mean:
		d.Distribution = "poisson"
		d.ReorderPoint = discreteQuantile(func(k float64) float64 { return distuv.Poisson{Lambda: mean}.CDF(k) }, in.ServiceLevel)
	default:
		// Negative binomial with mean μ and variance v: p = μ/v, r = μ²/(v−μ).
		p := mean / variance
		r := mean * mean / (variance - mean)
		d.Distribution = "negative-binomial"
		d.ReorderPoint = discreteQuantile(func(k float64) float64 { return negBinomCDF(k, r, p) }, in.ServiceLevel)
	}
	d.SafetyStock = math.Max(0, d.ReorderPoint-mean)
	position := in.OnHand + in.OnOrder
	if in.DailyMean > 0 {
		d.DaysOfCover = position / in.DailyMean
	} else {
		d.DaysOfCover = math.Inf(1)
	}
	target := d.ReorderPoint + in.DailyMean*in.ReviewDays
	if position <= d.ReorderPoint {
		d.OrderBy = now
		q := math.Max(target-position, in.MinOrder)
		if in.PackSize > 0 {
			q = math.Ceil(q/in.PackSize) * in.PackSize
		}
		d.OrderQuantity = math.Ceil(q)
	} else if in.DailyMean > 0 {
		days := (position - d.ReorderPoint) / in.DailyMean
		d.OrderBy = now.Add(time.Duration(days * 24 * float64(time.Hour)))
	}
	if math.IsInf(d.DaysOfCover, 1) {
		d.DaysOfCover = -1 // no demand: never runs out (JSON has no infinity)
	}
	return d, nil
}

// discreteQuantile is the least whole k with cdf(k) ≥ p.
func discreteQuantile(cdf func(float64) float64, p float64) float64 {
	for k := 0.0; k < 1e7; k++ {
		if cdf(k) >= p {
			return k
		}
	}
	return math.Inf(1)
}

// negBinomCDF is P(X ≤ k) for the negative binomial counting failures
// before the r-th success with success probability p (real r), summed
// from its probability mass by the recurrence
// P(0) = p^r, P(j+1) = P(j)·(j+r)/(j+1)·(1−p). (gonum's distuv has no
// negative binomial.)
func negBinomCDF(k, r, p float64) float64 {
	pmf := math.Exp(r * math.Log(p))
	sum := pmf
	for j := 0.0; j < k; j++ {
		pmf *= (j + r) / (j + 1) * (1 - p)
		sum += pmf
	}
	return sum
}
