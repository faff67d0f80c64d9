package riskdb_test

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk/riskdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func newStore(t *testing.T) *riskdb.Store {
	t.Helper()
	tables := awstest.Tables(t, resource.Analytics)
	return riskdb.New(awstest.DynamoDB(t), tables[resource.Analytics.EnvVar])
}

// 100 orders and 100 failed payments of one shopper, all at once: every
// one is counted, in every window (atomic adds, no lost update).
func TestCountersAreExactUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	db := awstest.DynamoDB(t)
	// At the start of a day bucket, so every window's current bucket is
	// the only one with counts.
	at := time.Date(2026, 11, 24, 0, 0, 1, 0, time.UTC)
	in := risk.Input{CustomerID: "alice", Amount: 1234, Currency: "CNY", Exponent: 2, AddressKey: "addr-1", At: at}
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			o := in
			if i%10 == 0 {
				o.AddressKey = "addr-2"
			}
			writes, err := s.OrderWrites(o, nil)
			if err == nil {
				err = dynamo.Transact(ctx, db, writes)
			}
			errs <- err
		}()
		go func() {
			defer wg.Done()
			errs <- s.PaymentFailed(ctx, "alice", at)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	snap, err := s.Load(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	h := snap.History
	for w := range risk.Windows {
		if h.Orders[w] != n || h.Failures[w] != n {
			t.Errorf("window %s: %g orders, %g failures; want %d each", risk.Window(w), h.Orders[w], h.Failures[w], n)
		}
	}
	if h.PriorOrders != n || h.PriorAmount != n*1234 || !h.FirstOrderAt.Equal(at) || h.Addresses != 2 || !h.KnownAddress {
		t.Errorf("profile %+v, want %d orders of 12.34, first at %s, 2 addresses, this one known", h, n, at)
	}
	// Another currency's history is its own.
	usd := in
	usd.Currency = "USD"
	if snap, err := s.Load(ctx, usd); err != nil || snap.History.PriorOrders != 0 {
		t.Errorf("USD history %+v, %v; want none", snap.History, err)
	}
}

// The count in the last window is the current bucket plus the previous
// one weighted by the share of it still inside the window.
func TestSlidingWindowEstimate(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	db := awstest.DynamoDB(t)
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC) // a bucket boundary of every window
	place := func(at time.Time, k int) {
		for range k {
			w, err := s.OrderWrites(risk.Input{CustomerID: "bob", Amount: 100, Currency: "CNY", At: at}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := dynamo.Transact(ctx, db, w); err != nil {
				t.Fatal(err)
			}
		}
	}
	place(start.Add(-5*time.Minute), 4) // previous 10-minute bucket
	place(start.Add(time.Minute), 2)    // current
	tests := []struct {
		at   time.Duration
		want float64
	}{
		{2 * time.Minute, 2 + 4*0.8}, // 80% of the previous bucket is still in the last 10 minutes
		{7*time.Minute + 30*time.Second, 2 + 4*0.25},
		{10 * time.Minute, 2}, // a new bucket: the previous one (2) is wholly inside the window
		{20 * time.Minute, 0},
	}
	for _, tt := range tests {
		snap, err := s.Load(ctx, risk.Input{CustomerID: "bob", Currency: "CNY", At: start.Add(tt.at)})
		if err != nil {
			t.Fatal(err)
		}
		if got := snap.History.Orders[risk.Win10m]; math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("at +%s: %g orders in 10 minutes, want %g", tt.at, got, tt.want)
		}
		if got := snap.History.Orders[risk.Win24h]; tt.at < 14*time.Hour && got != 6 {
			t.Errorf("at +%s: %g orders in 24 hours, want 6", tt.at, got)
		}
	}
}

func TestRulesAndBlockLists(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	in := risk.Input{CustomerID: "carol", MerchantIDs: []string{"mch_a"}, Currency: "CNY", AddressKey: "ak", DeviceID: "dev-9", At: time.Now()}
	snap, err := s.Load(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Rules.MaxFailures["10m"] != risk.DefaultRules().MaxFailures["10m"] || len(snap.Blocked) != 0 {
		t.Fatalf("with nothing set: %+v, want the default rules and no block", snap)
	}
	if err := s.PutRules(ctx, riskdb.Global, risk.Rules{MaxOrders: map[string]int{"1h": 5}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRules(ctx, riskdb.MerchantScope("mch_a"), risk.Rules{MaxOrders: map[string]int{"1h": 2}, MaxAmount: map[string]int64{"CNY": 500}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRules(ctx, riskdb.MerchantScope("mch_b"), risk.Rules{MaxOrders: map[string]int{"1h": 1}}); err != nil {
		t.Fatal(err)
	}
	for _, b := range []riskdb.Block{
		{Kind: risk.BlockDevice, Value: "dev-9", Scope: riskdb.Global},
		{Kind: risk.BlockAddress, Value: "ak", Scope: riskdb.MerchantScope("mch_a")},
		{Kind: risk.BlockShopper, Value: "carol", Scope: riskdb.MerchantScope("mch_b")}, // another merchant's list
	} {
		if err := s.PutBlock(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	snap, err = s.Load(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Rules.MaxOrders["1h"] != 2 || snap.Rules.MaxAmount["CNY"] != 500 || snap.Rules.MaxFailures != nil {
		t.Errorf("rules %+v: want the merchant's stricter 1h limit and ceiling, and the stored global rules in place of the defaults", snap.Rules)
	}
	if !slices.Equal(snap.Blocked, []string{risk.BlockAddress, risk.BlockDevice}) {
		t.Errorf("blocked %v, want address and device (not another merchant's shopper entry)", snap.Blocked)
	}
	if err := s.DeleteBlock(ctx, risk.BlockDevice, "dev-9", riskdb.Global); err != nil {
		t.Fatal(err)
	}
	if snap, _ = s.Load(ctx, in); !slices.Equal(snap.Blocked, []string{risk.BlockAddress}) {
		t.Errorf("after deleting the device entry: %v", snap.Blocked)
	}
	got, ok, err := s.Rules(ctx, riskdb.MerchantScope("mch_a"))
	if err != nil || !ok || got.MaxAmount["CNY"] != 500 {
		t.Errorf("Rules = %+v %v %v", got, ok, err)
	}
}

// A shopper's velocity lives on one item: buckets older than each window's
// previous one are reported stale by Load and removed by the next order's
// write, so the item does not grow with time.
func TestStaleBucketsAreRemovedByTheNextOrder(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	db := awstest.DynamoDB(t)
	first := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	order := func(at time.Time, stale []string) {
		t.Helper()
		w, err := s.OrderWrites(risk.Input{CustomerID: "carol", Amount: 100, Currency: "CNY", At: at}, stale)
		if err != nil {
			t.Fatal(err)
		}
		if len(w) != 1 {
			t.Fatalf("%d writes for an order's risk bookkeeping, want 1", len(w))
		}
		if err := dynamo.Transact(ctx, db, w); err != nil {
			t.Fatal(err)
		}
	}
	order(first, nil)
	if err := s.PaymentFailed(ctx, "carol", first); err != nil {
		t.Fatal(err)
	}
	later := first.Add(72 * time.Hour)
	snap, err := s.Load(ctx, risk.Input{CustomerID: "carol", Currency: "CNY", At: later})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Stale) != 6 || snap.History.Orders != [3]float64{} || snap.History.PriorOrders != 1 {
		t.Fatalf("three days on: stale %v, history %+v; want 6 stale buckets, no velocity, 1 prior order", snap.Stale, snap.History)
	}
	order(later, snap.Stale)
	snap, err = s.Load(ctx, risk.Input{CustomerID: "carol", Currency: "CNY", At: later})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Stale) != 0 || snap.History.Orders != [3]float64{1, 1, 1} || snap.History.PriorOrders != 2 {
		t.Errorf("after the next order: stale %v, history %+v; want none stale, 1 order per window, 2 prior", snap.Stale, snap.History)
	}
}
