package settle_test

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
)

func cny(a int64) money.Money { return money.Money{Amount: a, Currency: "CNY"} }

func TestRoundHalfEven(t *testing.T) {
	for _, tc := range []struct {
		num, den int64
		want     int64
	}{
		{25, 10, 2}, {35, 10, 4}, {15, 10, 2}, {5, 10, 0}, {26, 10, 3}, {24, 10, 2},
		{0, 10, 0}, {12500, 10000, 1}, {7, 2, 4}, {9, 2, 4}, {10, 4, 2}, {14, 4, 4},
	} {
		if got := settle.RoundHalfEven(big.NewInt(tc.num), big.NewInt(tc.den)); got != tc.want {
			t.Errorf("RoundHalfEven(%d/%d) = %d, want %d", tc.num, tc.den, got, tc.want)
		}
	}
}

func TestFeesTable(t *testing.T) {
	for _, tc := range []struct {
		name     string
		s        settle.FeeSchedule
		lines    []settle.Line
		wantLine []int64
		wantFee  int64
	}{
		// 250 × 2% = 5 exactly.
		{"exact", settle.FeeSchedule{BasisPoints: 200}, []settle.Line{{Total: cny(250)}}, []int64{5}, 5},
		// 125 × 2% = 2.5 → 2 (half to even), 175 × 2% = 3.5 → 4.
		{"half down to even", settle.FeeSchedule{BasisPoints: 200}, []settle.Line{{Total: cny(125)}}, []int64{2}, 2},
		{"half up to even", settle.FeeSchedule{BasisPoints: 200}, []settle.Line{{Total: cny(175)}}, []int64{4}, 4},
		// Two lines of 2.5 each: the order rounds once (5), not per line (2+2).
		{"order rounds once", settle.FeeSchedule{BasisPoints: 200}, []settle.Line{{Total: cny(125)}, {Total: cny(125)}}, []int64{3, 2}, 5},
		// Category override: 100×10% = 10, 100×1% = 1, plus fixed 30 split 15/15.
		{"category and fixed", settle.FeeSchedule{BasisPoints: 100, Fixed: cny(30), CategoryBasisPoints: map[string]int64{"food": 1000}},
			[]settle.Line{{Category: "food", Total: cny(100)}, {Category: "toys", Total: cny(100)}}, []int64{25, 16}, 41},
		{"zero totals share fixed", settle.FeeSchedule{BasisPoints: 300, Fixed: cny(10)}, []settle.Line{{Total: cny(0)}, {Total: cny(0)}, {Total: cny(0)}}, []int64{4, 3, 3}, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			per, fee, err := settle.Fees(tc.s, tc.lines)
			if err != nil {
				t.Fatal(err)
			}
			if fee.Amount != tc.wantFee {
				t.Errorf("order fee = %d, want %d", fee.Amount, tc.wantFee)
			}
			for i := range per {
				if per[i].Amount != tc.wantLine[i] {
					t.Errorf("line %d fee = %d, want %d", i, per[i].Amount, tc.wantLine[i])
				}
			}
		})
	}
}

func TestFeesRefusesBadInput(t *testing.T) {
	for name, tc := range map[string]struct {
		s     settle.FeeSchedule
		lines []settle.Line
	}{
		"no lines":       {settle.FeeSchedule{}, nil},
		"mixed currency": {settle.FeeSchedule{}, []settle.Line{{Total: cny(1)}, {Total: money.Money{Amount: 1, Currency: "USD"}}}},
		"negative bp":    {settle.FeeSchedule{BasisPoints: -1}, []settle.Line{{Total: cny(1)}}},
		"fixed currency": {settle.FeeSchedule{Fixed: money.Money{Amount: 1, Currency: "USD"}}, []settle.Line{{Total: cny(1)}}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := settle.Fees(tc.s, tc.lines); !errors.Is(err, settle.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

// Property: per-line fees sum to the order fee; the order fee is
// round_half_even of the exact percentage plus fixed; each line is within
// one minor unit of its exact share.
func TestFeesProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		n := 1 + r.IntN(8)
		s := settle.FeeSchedule{BasisPoints: r.Int64N(1001), Fixed: cny(r.Int64N(100)), CategoryBasisPoints: map[string]int64{"b": r.Int64N(1001)}}
		lines := make([]settle.Line, n)
		var T int64
		for j := range lines {
			lines[j] = settle.Line{Category: []string{"a", "b"}[r.IntN(2)], Total: cny(r.Int64N(1_000_000))}
			T += lines[j].Total.Amount
		}
		per, fee, err := settle.Fees(s, lines)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		exact := new(big.Rat)
		for j, l := range lines {
			sum += per[j].Amount
			bp := s.BasisPoints
			if l.Category == "b" {
				bp = s.CategoryBasisPoints["b"]
			}
			exact.Add(exact, big.NewRat(l.Total.Amount*bp, 10000))
		}
		if sum != fee.Amount {
			t.Fatalf("case %d: Σ line fees %d ≠ order fee %d", i, sum, fee.Amount)
		}
		if want := settle.RoundHalfEven(exact.Num(), exact.Denom()) + s.Fixed.Amount; fee.Amount != want {
			t.Fatalf("case %d: order fee %d, want %d", i, fee.Amount, want)
		}
		for j, l := range lines {
			bp := s.BasisPoints
			if l.Category == "b" {
				bp = s.CategoryBasisPoints["b"]
			}
			share := big.NewRat(l.Total.Amount*bp, 10000)
			if T > 0 {
				share.Add(share, big.NewRat(s.Fixed.Amount*l.Total.Amount, T))
			} else {
				share.Add(share, big.NewRat(s.Fixed.Amount, int64(n)))
			}
			d := new(big.Rat).Sub(big.NewRat(per[j].Amount, 1), share)
			if d.Abs(d).Cmp(big.NewRat(1, 1)) >= 0 {
				t.Fatalf("case %d line %d: fee %d vs exact share %s", i, j, per[j].Amount, share.FloatString(4))
			}
		}
	}
}

func TestSplitRefundProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 3000; i++ {
		n := 1 + r.IntN(6)
		basis := make([]money.Money, n)
		var T int64
		for j := range basis {
			basis[j] = cny(r.Int64N(100_000))
			T += basis[j].Amount
		}
		R := T
		if i%2 == 1 && T > 0 {
			R = r.Int64N(T + 1) // partial
		}
		got, err := settle.SplitRefund(cny(R), basis)
		if T == 0 && R == 0 && err != nil {
			t.Fatalf("zero refund: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for j := range got {
			sum += got[j].Amount
			if got[j].Amount > basis[j].Amount || got[j].Amount < 0 {
				t.Fatalf("case %d part %d: %d outside 0..%d", i, j, got[j].Amount, basis[j].Amount)
			}
			if T > 0 {
				share := big.NewRat(basis[j].Amount*R, T)
				d := new(big.Rat).Sub(big.NewRat(got[j].Amount, 1), share)
				if d.Abs(d).Cmp(big.NewRat(1, 1)) >= 0 {
					t.Fatalf("case %d part %d: %d vs exact %s", i, j, got[j].Amount, share.FloatString(3))
				}
			}
			if R == T && got[j].Amount != basis[j].Amount {
				t.Fatalf("case %d: full refund part %d = %d, want its basis %d", i, j, got[j].Amount, basis[j].Amount)
			}
		}
		if sum != R {
			t.Fatalf("case %d: Σ parts %d ≠ refund %d", i, sum, R)
		}
	}
}

func TestSplitRefundTable(t *testing.T) {
	got, err := settle.SplitRefund(cny(100), []money.Money{cny(100), cny(100), cny(100)})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{34, 33, 33}; got[0].Amount != want[0] || got[1].Amount != want[1] || got[2].Amount != want[2] {
		t.Errorf("split 100 over thirds = %v, want %v", got, want)
	}
	if _, err := settle.SplitRefund(cny(301), []money.Money{cny(100), cny(200)}); !errors.Is(err, settle.ErrInvalid) {
		t.Errorf("over-refund err = %v, want ErrInvalid", err)
	}
}
