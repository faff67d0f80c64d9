package reconcile_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/reconcile"
)

func cny(a int64) money.Money { return money.Money{Amount: a, Currency: "CNY"} }

// cleanDay returns a random day's report and the ledger records that agree
// with it: charges with fees, partial refunds reported by refund id, by
// order id one line each, or by order id in one line, disputes and a
// payout; provider amounts differ from ours by at most tol.
func cleanDay(r *rand.Rand, orders int, tol int64) ([]reconcile.ProviderLine, []reconcile.Record) {
	var lines []reconcile.ProviderLine
	var recs []reconcile.Record
	jitter := func() int64 {
		if tol == 0 {
			return 0
		}
		return r.Int64N(2*tol+1) - tol
	}
	pref := 0
	next := func() string { pref++; return fmt.Sprintf("pr_%05d", pref) }
	var net int64
	for i := range orders {
		order := fmt.Sprintf("ord_%04d", i)
		amt := 100 + r.Int64N(100_000)
		fee := amt * 3 / 100
		recs = append(recs, reconcile.Record{Type: reconcile.Charge, Ref: order, Amount: cny(amt), Fee: fee})
		lines = append(lines, reconcile.ProviderLine{Type: reconcile.Charge, ProviderRef: next(), OurRef: order, Amount: cny(amt + jitter()), Fee: fee + jitter()})
		net += amt - fee
		n := r.IntN(4)
		mode := r.IntN(3)
		left := amt
		var sum int64
		for j := range n {
			part := r.Int64N(left/2 + 1)
			if part == 0 {
				continue
			}
			left -= part
			sum += part
			ref := fmt.Sprintf("ref_%04d_%d", i, j)
			recs = append(recs, reconcile.Record{Type: reconcile.Refund, Ref: ref, Parent: order, Amount: cny(part)})
			switch mode {
			case 0:
				lines = append(lines, reconcile.ProviderLine{Type: reconcile.Refund, ProviderRef: next(), OurRef: ref, Amount: cny(part)})
			case 1:
				lines = append(lines, reconcile.ProviderLine{Type: reconcile.Refund, ProviderRef: next(), OurRef: order, Amount: cny(part)})
			}
		}
		if mode == 2 && sum > 0 {
			lines = append(lines, reconcile.ProviderLine{Type: reconcile.Refund, ProviderRef: next(), OurRef: order, Amount: cny(sum + jitter())})
		}
		net -= sum
		if r.IntN(10) == 0 {
			recs = append(recs, reconcile.Record{Type: reconcile.Dispute, Ref: order, Amount: cny(left)})
			lines = append(lines, reconcile.ProviderLine{Type: reconcile.Dispute, ProviderRef: next(), OurRef: order, Amount: cny(left)})
		}
	}
	if net > 0 {
		recs = append(recs, reconcile.Record{Type: reconcile.Payout, Ref: "po_1", Amount: cny(net)})
		lines = append(lines, reconcile.ProviderLine{Type: reconcile.Payout, ProviderRef: next(), OurRef: "po_1", Amount: cny(net)})
	}
	r.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	r.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	return lines, recs
}

func TestCleanDaysHaveNoFindings(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := range 200 {
		tol := int64(i % 3)
		lines, recs := cleanDay(r, 1+r.IntN(30), tol)
		res, err := reconcile.Match(lines, recs, reconcile.Options{Tolerance: tol})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) != 0 {
			t.Fatalf("day %d: %d findings on a clean day, first %+v", i, len(res.Findings), res.Findings[0])
		}
		if len(res.Matches) == 0 {
			t.Fatalf("day %d: nothing matched", i)
		}
	}
}

func TestPlantedDiscrepanciesAreFound(t *testing.T) {
	base := func() ([]reconcile.ProviderLine, []reconcile.Record) {
		return []reconcile.ProviderLine{
				{Type: reconcile.Charge, ProviderRef: "ch_1", OurRef: "o1", Amount: cny(10000), Fee: 300},
				{Type: reconcile.Charge, ProviderRef: "ch_2", OurRef: "o2", Amount: cny(5000), Fee: 150},
				{Type: reconcile.Refund, ProviderRef: "re_1", OurRef: "r1", Amount: cny(1000)},
				{Type: reconcile.Refund, ProviderRef: "re_2", OurRef: "r2", Amount: cny(2000)},
				{Type: reconcile.Payout, ProviderRef: "po_1", OurRef: "p1", Amount: cny(11550)},
			}, []reconcile.Record{
				{Type: reconcile.Charge, Ref: "o1", Amount: cny(10000), Fee: 300},
				{Type: reconcile.Charge, Ref: "o2", Amount: cny(5000), Fee: 150},
				{Type: reconcile.Refund, Ref: "r1", Parent: "o1", Amount: cny(1000)},
				{Type: reconcile.Refund, Ref: "r2", Parent: "o1", Amount: cny(2000)},
				{Type: reconcile.Payout, Ref: "p1", Amount: cny(11550)},
			}
	}
	for _, tc := range []struct {
		name  string
		plant func(*[]reconcile.ProviderLine, *[]reconcile.Record)
		tol   int64
		want  reconcile.Finding
	}{
		{"missing in ledger", func(l *[]reconcile.ProviderLine, r *[]reconcile.Record) { *r = (*r)[1:] }, 0,
			reconcile.Finding{Kind: reconcile.MissingInLedger, Type: reconcile.Charge, Ref: "o1", ProviderRefs: []string{"ch_1"}, Currency: "CNY", Provider: 10000, ProviderFee: 300}},
		{"missing at provider", func(l *[]reconcile.ProviderLine, r *[]reconcile.Record) { *l = (*l)[:4] }, 0,
			reconcile.Finding{Kind: reconcile.MissingAtProvider, Type: reconcile.Payout, Ref: "p1", LedgerRefs: []string{"p1"}, Currency: "CNY", Ledger: 11550}},
		{"amount mismatch", func(l *[]reconcile.ProviderLine, r *[]reconcile.Record) { (*l)[1].Amount = cny(5002) }, 1,
			reconcile.Finding{Kind: reconcile.AmountMismatch, Type: reconcile.Charge, Ref: "o2", ProviderRefs: []string{"ch_2"}, LedgerRefs: []string{"o2"}, Currency: "CNY", Provider: 5002, Ledger: 5000, ProviderFee: 150, LedgerFee: 150}},
		{"fee mismatch", func(l *[]reconcile.ProviderLine, r *[]reconcile.Record) { (*l)[0].Fee = 310 }, 0,
			reconcile.Finding{Kind: reconcile.FeeMismatch, Type: reconcile.Charge, Ref: "o1", ProviderRefs: []string{"ch_1"}, LedgerRefs: []string{"o1"}, Currency: "CNY", Provider: 10000, Ledger: 10000, ProviderFee: 310, LedgerFee: 300}},
		{"currency mismatch", func(l *[]reconcile.ProviderLine, r *[]reconcile.Record) {
			(*l)[3].Amount = money.Money{Amount: 2000, Currency: "USD"}
		}, 0,
			reconcile.Finding{Kind: reconcile.CurrencyMismatch, Type: reconcile.Refund, Ref: "r2", ProviderRefs: []string{"re_2"}, LedgerRefs: []string{"r2"}, Currency: "USD", Provider: 2000, Ledger: 2000}},
		{"duplicate line", func(l *[]reconcile.ProviderLine, r *[]reconcile.Record) { *l = append(*l, (*l)[2]) }, 0,
			reconcile.Finding{Kind: reconcile.Duplicate, Type: reconcile.Refund, Ref: "r1", ProviderRefs: []string{"re_1"}, Currency: "CNY", Provider: 1000}},
		{"refunds by order, one short", func(l *[]reconcile.ProviderLine, r *[]reconcile.Record) {
			(*l)[2] = reconcile.ProviderLine{Type: reconcile.Refund, ProviderRef: "re_1", OurRef: "o1", Amount: cny(1000)}
			(*l)[3] = reconcile.ProviderLine{Type: reconcile.Refund, ProviderRef: "re_2", OurRef: "o1", Amount: cny(1999)}
		}, 0,
			reconcile.Finding{Kind: reconcile.AmountMismatch, Type: reconcile.Refund, Ref: "o1", ProviderRefs: []string{"re_1", "re_2"}, LedgerRefs: []string{"r1", "r2"}, Currency: "CNY", Provider: 2999, Ledger: 3000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines, recs := base()
			if res, err := reconcile.Match(lines, recs, reconcile.Options{Tolerance: tc.tol}); err != nil || len(res.Findings) != 0 || len(res.Matches) != 5 {
				t.Fatalf("unplanted: %d findings, %d matches, %v; want 0, 5", len(res.Findings), len(res.Matches), err)
			}
			tc.plant(&lines, &recs)
			res, err := reconcile.Match(lines, recs, reconcile.Options{Tolerance: tc.tol})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Findings) != 1 || !reflect.DeepEqual(res.Findings[0], tc.want) {
				t.Fatalf("findings = %+v, want exactly %+v", res.Findings, tc.want)
			}
		})
	}
}

func TestToleranceIsABound(t *testing.T) {
	lines := []reconcile.ProviderLine{{Type: reconcile.Charge, ProviderRef: "c", OurRef: "o", Amount: cny(1002)}}
	recs := []reconcile.Record{{Type: reconcile.Charge, Ref: "o", Amount: cny(1000)}}
	for tol, want := range map[int64]int{0: 1, 1: 1, 2: 0, 3: 0} {
		res, err := reconcile.Match(lines, recs, reconcile.Options{Tolerance: tol})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) != want {
			t.Errorf("tolerance %d: %d findings, want %d", tol, len(res.Findings), want)
		}
	}
}

func TestOutputIsDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	lines, recs := cleanDay(r, 40, 0)
	lines = append(lines, lines[0], lines[3])
	recs = recs[5:]
	first, err := reconcile.Match(lines, recs, reconcile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Findings) < 3 {
		t.Fatalf("%d findings, want at least 3 planted", len(first.Findings))
	}
	for range 20 {
		r.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
		r.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		again, err := reconcile.Match(lines, recs, reconcile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again.Matches, first.Matches) {
			t.Fatal("matches differ when the inputs are shuffled")
		}
		if !reflect.DeepEqual(again.Findings, first.Findings) {
			t.Fatalf("findings differ when the inputs are shuffled:\n%+v\n%+v", again.Findings, first.Findings)
		}
	}
}

func TestBadInputIsRefused(t *testing.T) {
	for name, tc := range map[string]struct {
		lines []reconcile.ProviderLine
		recs  []reconcile.Record
		opt   reconcile.Options
	}{
		"line type":      {lines: []reconcile.ProviderLine{{Type: "gift", ProviderRef: "x", OurRef: "o", Amount: cny(1)}}},
		"no provider id": {lines: []reconcile.ProviderLine{{Type: reconcile.Charge, OurRef: "o", Amount: cny(1)}}},
		"record ref":     {recs: []reconcile.Record{{Type: reconcile.Charge, Amount: cny(1)}}},
		"currency":       {recs: []reconcile.Record{{Type: reconcile.Charge, Ref: "o", Amount: money.Money{Amount: 1, Currency: "XXX"}}}},
		"tolerance":      {opt: reconcile.Options{Tolerance: -1}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := reconcile.Match(tc.lines, tc.recs, tc.opt); !errors.Is(err, reconcile.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}
}
