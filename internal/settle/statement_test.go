package settle_test

import (
	"errors"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
)

func day(t *testing.T, s string) settle.Date {
	t.Helper()
	d, err := settle.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCloseStatement(t *testing.T) {
	d10, d11, d12 := day(t, "2026-03-10"), day(t, "2026-03-11"), day(t, "2026-03-12")
	b := settle.Batch{Merchant: "m1", Currency: "CNY", Day: d12, LastClosed: d11, CarryIn: -50, Entries: []settle.Entry{
		{ID: "s1", Kind: settle.Sale, Amount: cny(10000), Day: d12},
		{ID: "s2", Kind: settle.Sale, Amount: cny(5000), Day: d12},
		{ID: "f1", Kind: settle.Fee, Amount: cny(450), Day: d12},
		{ID: "r1", Kind: settle.Refund, Amount: cny(2000), Day: d12},
		{ID: "fr1", Kind: settle.FeeReturned, Amount: cny(60), Day: d12},
		{ID: "dO", Kind: settle.DisputeOpened, Amount: cny(3000), Day: d12},
		{ID: "dW", Kind: settle.DisputeWon, Amount: cny(1000), Day: d12},
		{ID: "dL", Kind: settle.DisputeLost, Amount: cny(700), Day: d12},
		{ID: "late1", Kind: settle.Refund, Amount: cny(800), Day: d10},
		{ID: "late2", Kind: settle.Sale, Amount: cny(300), Day: d11},
	}}
	s, err := settle.Close(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []settle.StatementLine{
		{Kind: settle.DisputeLost, Day: d12, Count: 1, Amount: 0},
		{Kind: settle.DisputeOpened, Day: d12, Count: 1, Amount: -3000},
		{Kind: settle.DisputeWon, Day: d12, Count: 1, Amount: 1000},
		{Kind: settle.Fee, Day: d12, Count: 1, Amount: -450},
		{Kind: settle.FeeReturned, Day: d12, Count: 1, Amount: 60},
		{Kind: settle.Refund, Day: d12, Count: 1, Amount: -2000},
		{Kind: settle.Sale, Day: d12, Count: 2, Amount: 15000},
		{Kind: settle.Refund, Late: true, Day: d10, Count: 1, Amount: -800},
		{Kind: settle.Sale, Late: true, Day: d11, Count: 1, Amount: 300},
	}
	if len(s.Lines) != len(want) {
		t.Fatalf("lines = %+v, want %+v", s.Lines, want)
	}
	var sum int64
	for i := range want {
		if s.Lines[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, s.Lines[i], want[i])
		}
		sum += s.Lines[i].Amount
	}
	if s.Net != sum+b.CarryIn || s.Net != 10060 {
		t.Errorf("net = %d, want Σ lines + carry = %d (10060)", s.Net, sum+b.CarryIn)
	}
	if s.Payout.Amount != 10060 || s.CarryOut != 0 {
		t.Errorf("payout %d carry %d, want 10060 and 0", s.Payout.Amount, s.CarryOut)
	}

	// A day whose refunds exceed its sales pays nothing and carries the debt.
	neg, err := settle.Close(settle.Batch{Merchant: "m1", Currency: "CNY", Day: d12, LastClosed: d11, Entries: []settle.Entry{
		{ID: "s", Kind: settle.Sale, Amount: cny(100), Day: d12},
		{ID: "r", Kind: settle.Refund, Amount: cny(900), Day: d12},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if neg.Payout.Amount != 0 || neg.CarryOut != -800 {
		t.Errorf("payout %d carry %d, want 0 and -800", neg.Payout.Amount, neg.CarryOut)
	}
}

func TestCloseRefusesMisplacedEntries(t *testing.T) {
	d10, d11, d12, d13 := day(t, "2026-03-10"), day(t, "2026-03-11"), day(t, "2026-03-12"), day(t, "2026-03-13")
	for name, b := range map[string]settle.Batch{
		"future entry":     {Currency: "CNY", Day: d12, LastClosed: d11, Entries: []settle.Entry{{ID: "x", Kind: settle.Sale, Amount: cny(1), Day: d13}}},
		"open earlier day": {Currency: "CNY", Day: d12, LastClosed: d10, Entries: []settle.Entry{{ID: "x", Kind: settle.Sale, Amount: cny(1), Day: d11}}},
		"day closed":       {Currency: "CNY", Day: d11, LastClosed: d11},
		"unknown kind":     {Currency: "CNY", Day: d12, LastClosed: d11, Entries: []settle.Entry{{ID: "x", Kind: "gift", Amount: cny(1), Day: d12}}},
		"currency":         {Currency: "USD", Day: d12, LastClosed: d11, Entries: []settle.Entry{{ID: "x", Kind: settle.Sale, Amount: cny(1), Day: d12}}},
		"duplicate id": {Currency: "CNY", Day: d12, LastClosed: d11, Entries: []settle.Entry{
			{ID: "x", Kind: settle.Sale, Amount: cny(1), Day: d12}, {ID: "x", Kind: settle.Sale, Amount: cny(1), Day: d12}}},
		"positive carry": {Currency: "CNY", Day: d12, LastClosed: d11, CarryIn: 5},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := settle.Close(b); !errors.Is(err, settle.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}
}
