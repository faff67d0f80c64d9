// Package settle owns the arithmetic of settlement: platform fees per order
// and line, refund splits, merchants' business days, and the statement of a
// business day with its payout. It is pure logic: no clock, no AWS.
package settle

import (
	"errors"
	"fmt"
	"math/big"
	"sort"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
)

// Errors callers branch on.
var (
	ErrInvalid = errors.New("settle: invalid input")
)

// FeeSchedule is a merchant's platform fee: BasisPoints of each line total
// (CategoryBasisPoints overrides it for a line's category) plus Fixed once
// per order. A zero Fixed (no currency) means no fixed fee; basis points
// lie in 0..10000.
type FeeSchedule struct {
	BasisPoints         int64
	Fixed               money.Money
	CategoryBasisPoints map[string]int64
}

// Line is one order line as fees see it.
type Line struct {
	Category string
	Total    money.Money
}

// Fees returns each line's fee and the order's fee, in minor units of the
// lines' currency.
//
// Rounding rule: the order's fee is round_half_even(Σ exact line fees) +
// Fixed, where a line's exact fee is Total×bp/10000 (a rational number). The
// order fee is then distributed across the lines by largest remainder over
// each line's exact share (its exact percentage fee plus Fixed in proportion
// to its total; equal shares when every total is zero), so the per-line fees
// sum exactly to the order fee and each is within one minor unit of its
// exact share. Ties between equal remainders go to the earlier line.
//
// Returns ErrInvalid for no lines, mixed currencies, negative basis points
// or amounts out of range.
func Fees(s FeeSchedule, lines []Line) ([]money.Money, money.Money, error) {
	if len(lines) == 0 {
		return nil, money.Money{}, fmt.Errorf("%w: no lines", ErrInvalid)
	}
	cur := lines[0].Total.Currency
	if s.Fixed.Currency == "" {
		s.Fixed.Currency = cur
	}
	if err := s.Fixed.Validate(); err != nil {
		return nil, money.Money{}, fmt.Errorf("%w: fixed fee: %w", ErrInvalid, err)
	}
	if s.Fixed.Currency != cur {
		return nil, money.Money{}, fmt.Errorf("%w: fixed fee in %s, lines in %s", ErrInvalid, s.Fixed.Currency, cur)
	}
	var total int64
	bps := make([]int64, len(lines))
	for i, l := range lines {
		if err := l.Total.Validate(); err != nil {
			return nil, money.Money{}, fmt.Errorf("%w: line %d: %w", ErrInvalid, i, err)
		}
		if l.Total.Currency != cur {
			return nil, money.Money{}, fmt.Errorf("%w: line %d in %s, line 0 in %s", ErrInvalid, i, l.Total.Currency, cur)
		}
		bp := s.BasisPoints
		if o, ok := s.CategoryBasisPoints[l.Category]; ok {
			bp = o
		}
		if bp < 0 || bp > 10000 {
			return nil, money.Money{}, fmt.Errorf("%w: line %d: basis points %d outside 0..10000", ErrInvalid, i, bp)
		}
		bps[i] = bp
		total += l.Total.Amount
		if total > money.MaxAmount {
			return nil, money.Money{}, fmt.Errorf("%w: order total above %d", ErrInvalid, money.MaxAmount)
		}
	}
	// Exact shares over the common denominator 10000×T:
	// share_i = (total_i×bp_i×T + Fixed×total_i×10000) / (10000×T).
	T := big.NewInt(total)
	weights := make([]*big.Int, len(lines))
	for i, l := range lines {
		weights[i] = big.NewInt(l.Total.Amount)
	}
	if total == 0 {
		T = big.NewInt(int64(len(lines)))
		for i := range weights {
			weights[i] = big.NewInt(1)
		}
	}
	den := new(big.Int).Mul(big.NewInt(10000), T)
	nums := make([]*big.Int, len(lines))
	variable := new(big.Int)
	for i, l := range lines {
		pct := new(big.Int).Mul(big.NewInt(l.Total.Amount), big.NewInt(bps[i]))
		variable.Add(variable, pct)
		n := new(big.Int).Mul(pct, T)
		n.Add(n, new(big.Int).Mul(big.NewInt(s.Fixed.Amount*10000), weights[i]))
		nums[i] = n
	}
	orderFee := RoundHalfEven(variable, big.NewInt(10000)) + s.Fixed.Amount
	per := apportion(orderFee, nums, den)
	out := make([]money.Money, len(per))
	for i, a := range per {
		out[i] = money.Money{Amount: a, Currency: cur}
	}
	return out, money.Money{Amount: orderFee, Currency: cur}, nil
}

// RoundHalfEven returns num/den rounded to the nearest integer, ties to the
// even one. num ≥ 0, den > 0.
func RoundHalfEven(num, den *big.Int) int64 {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	twice := new(big.Int).Mul(r, big.NewInt(2))
	switch twice.Cmp(den) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64()
}

// apportion distributes target across shares nums[i]/den by largest
// remainder: each gets floor(share), then the units still missing go one
// each to the largest remainders (earlier index first on ties). The caller
// guarantees floor(Σ shares) ≤ target < Σ floor(share) + len(nums) + 1.
func apportion(target int64, nums []*big.Int, den *big.Int) []int64 {
	out := make([]int64, len(nums))
	rems := make([]*big.Int, len(nums))
	var sum int64
	for i, n := range nums {
		q, r := new(big.Int).QuoRem(n, den, new(big.Int))
		out[i] = q.Int64()
		rems[i] = r
		sum += out[i]
	}
	order := make([]int, len(nums))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rems[order[a]].Cmp(rems[order[b]]) > 0 })
	for k := 0; sum < target; k++ {
		out[order[k%len(order)]]++
		sum++
	}
	return out
}
