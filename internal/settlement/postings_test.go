package settlement

import (
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/ledger"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
)

func cny(n int64) money.Money { return money.Money{Amount: n, Currency: "CNY"} }

func line(merchant, category string, total int64) order.Line {
	return order.Line{SKUID: "sku_" + merchant + category, MerchantID: merchant, Category: category, Total: cny(total), Quantity: 1, UnitPrice: cny(total)}
}

// net sums each account's credits minus debits over the postings.
func net(ps []ledger.Posting) map[string]int64 {
	out := map[string]int64{}
	for _, p := range ps {
		for _, t := range p.Transfers {
			out[t.Credit] += t.Amount
			out[t.Debit] -= t.Amount
		}
	}
	return out
}

func TestSalePostings(t *testing.T) {
	at := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	paid := checkout.OrderPaid{OrderID: "ord_1", Total: cny(30000), PaidAt: at, Provider: "sandbox",
		Lines: []order.Line{line("mch_a", "tea", 10000), line("mch_b", "books", 15000), line("mch_a", "coffee", 5000)}}
	schedules := map[string]settle.FeeSchedule{
		"mch_a": {BasisPoints: 300, Fixed: cny(50), CategoryBasisPoints: map[string]int64{"coffee": 450}},
		"mch_b": {BasisPoints: 250},
	}
	ps, err := SalePostings(paid, schedules, ProviderFee(30000, 60))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].ID != "sale:ord_1" {
		t.Fatalf("postings %+v", ps)
	}
	got := net(ps)
	// mch_a: 15000 sold, fee 10000×3% + 5000×4.5% + 0.50 = 300+225+50 = 575.
	// mch_b: 15000 sold, fee 2.5% = 375. Provider fee 0.6% of 300.00 = 180.
	want := map[string]int64{
		Payable("mch_a"): 15000 - 575, Payable("mch_b"): 15000 - 375, FeeRevenue: 575 + 375,
		Clearing: -30000 + 180, ProviderFees: -180,
	}
	for acct, v := range want {
		if got[acct] != v {
			t.Errorf("%s net %d, want %d", acct, got[acct], v)
		}
	}
	var sum int64
	for _, v := range got {
		sum += v
	}
	if sum != 0 {
		t.Errorf("postings do not balance: %d", sum)
	}
	for _, tr := range ps[0].Transfers {
		if tr.Day != "2026-11-24" || !tr.At.Equal(at) || tr.Ref != "ord_1" {
			t.Errorf("transfer %s day %s at %v ref %s", tr.ID, tr.Day, tr.At, tr.Ref)
		}
	}
	if _, err := SalePostings(checkout.OrderPaid{OrderID: "o", Total: cny(1), Lines: []order.Line{line("", "x", 1)}}, schedules, 0); err == nil {
		t.Error("a line without a merchant was booked")
	}
}

func TestSalePostingsManyMerchantsSplitIntoPostings(t *testing.T) {
	paid := checkout.OrderPaid{OrderID: "ord_big", Total: cny(0), PaidAt: time.Now()}
	schedules := map[string]settle.FeeSchedule{}
	for i := range 15 {
		m := "mch_" + string(rune('a'+i))
		paid.Lines = append(paid.Lines, line(m, "x", 1000))
		paid.Total.Amount += 1000
		schedules[m] = settle.FeeSchedule{BasisPoints: 100}
	}
	ps, err := SalePostings(paid, schedules, 60)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[1].ID != "sale:ord_big:2" {
		t.Fatalf("%d postings, ids %v", len(ps), ps)
	}
	for _, p := range ps {
		if len(p.Transfers) > ledger.MaxTransfers {
			t.Errorf("posting %s has %d transfers", p.ID, len(p.Transfers))
		}
		for _, tr := range p.Transfers {
			if tr.PostingID != p.ID {
				t.Errorf("transfer %s names posting %s in %s", tr.ID, tr.PostingID, p.ID)
			}
		}
	}
}

// Partial refunds split cumulatively move exactly what one refund of their
// sum moves, for every merchant and for the fee returned.
func TestRefundPostingsCumulative(t *testing.T) {
	lines := []order.Line{line("mch_a", "x", 3333), line("mch_b", "x", 3333), line("mch_c", "x", 3334)}
	fees := map[string]int64{"mch_a": 117, "mch_b": 83, "mch_c": 201}
	total := cny(10000)
	at := time.Now()
	full, err := RefundPostings(checkout.RefundChanged{OrderID: "o", RefundID: "rfd_full", Amount: total, Refunded: total, Total: total, Lines: lines, Origin: order.RefundRequested}, fees, at)
	if err != nil {
		t.Fatal(err)
	}
	parts := []int64{1, 2, 997, 3000, 1, 5999}
	var all []ledger.Posting
	var refunded int64
	for i, a := range parts {
		refunded += a
		ps, err := RefundPostings(checkout.RefundChanged{OrderID: "o", RefundID: "rfd_" + string(rune('a'+i)), Amount: cny(a), Refunded: cny(refunded),
			Total: total, Lines: lines, Origin: order.RefundRequested}, fees, at)
		if err != nil {
			t.Fatal(err)
		}
		var moved int64
		for acct, v := range net(ps) {
			if acct == Clearing {
				moved = v
			}
		}
		if moved != a {
			t.Errorf("refund %d moved %d to clearing", a, moved)
		}
		all = append(all, ps...)
	}
	want, got := net(full), net(all)
	for acct, v := range want {
		if got[acct] != v {
			t.Errorf("%s: partial refunds net %d, one full refund %d", acct, got[acct], v)
		}
	}
	if want[Payable("mch_a")] != -(3333 - 117) {
		t.Errorf("full refund takes %d from mch_a, want its sale net of fee %d", -want[Payable("mch_a")], 3333-117)
	}
}

func TestRefundPostingsLatePayment(t *testing.T) {
	ps, err := RefundPostings(checkout.RefundChanged{OrderID: "o", RefundID: "rfd_late", Amount: cny(500), Total: cny(500),
		Origin: order.RefundLatePayment, Lines: []order.Line{line("mch_a", "x", 500)}}, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for acct, v := range net(ps) {
		if v != 0 {
			t.Errorf("a late payment's refund leaves %s at %d", acct, v)
		}
	}
	if len(ps) != 1 || len(ps[0].Transfers) != 2 {
		t.Errorf("want the late capture and its refund, got %+v", ps)
	}
}

func TestDisputePostings(t *testing.T) {
	d := checkout.Dispute{OrderID: "o", DisputeID: "dp_1", Amount: cny(900), Total: cny(900), Lines: []order.Line{line("mch_a", "x", 300), line("mch_b", "x", 600)}}
	opened, err := DisputePostings(checkout.TypeDisputeOpened, d, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if n := net(opened); n[Payable("mch_a")] != -300 || n[Payable("mch_b")] != -600 || n[Disputes] != 900 {
		t.Errorf("opened: %v", n)
	}
	tests := []struct {
		status  string
		account string
	}{{"won", Payable("mch_b")}, {"lost", Clearing}}
	for _, tc := range tests {
		d.Status = tc.status
		closed, err := DisputePostings(checkout.TypeDisputeClosed, d, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if n := net(closed); n[Disputes] != -900 || n[tc.account] <= 0 {
			t.Errorf("%s: %v", tc.status, n)
		}
	}
}

func TestEntryKind(t *testing.T) {
	tests := []struct {
		code, side string
		want       settle.Kind
		ok         bool
	}{
		{CodeSale, "C", settle.Sale, true},
		{CodeFee, "D", settle.Fee, true},
		{CodeRefund, "D", settle.Refund, true},
		{CodeRefund, "C", settle.AdjustmentCredit, true}, // a failed refund's reversal
		{CodeFeeReturned, "C", settle.FeeReturned, true},
		{CodeDisputeOpened, "D", settle.DisputeOpened, true},
		{CodeDisputeWon, "C", settle.DisputeWon, true},
		{CodePayout, "D", "", false},
	}
	for _, tc := range tests {
		got, ok := entryKind(ledger.Entry{Transfer: ledger.Transfer{Code: tc.code}, Side: tc.side})
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s/%s = %s %v, want %s %v", tc.code, tc.side, got, ok, tc.want, tc.ok)
		}
	}
}
