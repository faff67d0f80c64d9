package settlement_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/ledger"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/reconcile"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
	"github.com/jiaoyi-dev/jiaoyi/internal/settlement"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

const (
	tea   = "mch_teahouseaaaaaaaa"
	books = "mch_bookstoreaaaaaaa"
)

// clock is a settable clock, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type rig struct {
	book    *ledger.Ledger
	poster  *settlement.Poster
	settler *settlement.Settler
	store   *settlement.Store
	clock   *clock
	sandbox *sandbox.Provider
	recon   *settlement.Reconciler
}

func cny(n int64) money.Money { return money.Money{Amount: n, Currency: "CNY"} }

func newRig(t *testing.T) *rig {
	t.Helper()
	env := awstest.Tables(t, resource.Catalog, resource.Ledger, resource.Payments)
	db := dynamodb.NewFromConfig(awstest.Config(t))
	cat := catalog.NewRepository(db, env[resource.Catalog.EnvVar])
	epoch := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := cat.Write(context.Background(), catalog.Batch{Merchants: []catalog.Merchant{
		{ID: tea, Name: catalog.Text{ZH: "茶馆", EN: "Tea"}, Currency: "CNY", TimeZone: "Asia/Shanghai", Cutoff: "04:00",
			Fees: catalog.FeeSchedule{BasisPoints: 300, Fixed: cny(50)}, PayoutAccount: "bank:tea", CreatedAt: epoch},
		{ID: books, Name: catalog.Text{ZH: "书店", EN: "Books"}, Currency: "CNY", TimeZone: "Asia/Shanghai", Cutoff: "00:00",
			Fees: catalog.FeeSchedule{BasisPoints: 200, CategoryBasisPoints: map[string]int64{"rare": 1000}}, PayoutAccount: "bank:books", CreatedAt: epoch},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)}
	book := ledger.New(db, env[resource.Ledger.EnvVar])
	book.Now = c.Now
	book.SnapshotSize = 25
	store := &settlement.Store{DB: db, Table: env[resource.Ledger.EnvVar]}
	sbx := sandbox.New(db, env[resource.Payments.EnvVar])
	sbx.Now = c.Now
	return &rig{
		book: book, store: store, clock: c, sandbox: sbx,
		poster: &settlement.Poster{Book: book, Merchants: cat, ProviderFeeBP: map[string]int64{"sandbox": sandbox.FeeBasisPoints},
			Inbox: &outbox.Inbox{DB: db, Table: env[resource.Ledger.EnvVar], Consumer: "ledger", Now: c.Now}},
		settler: &settlement.Settler{Ledger: book, Store: store, Merchants: cat, Now: c.Now},
		recon: &settlement.Reconciler{Ledger: book, Reports: settlement.SandboxReports{Provider: sbx}, Provider: "sandbox", Store: store,
			Metrics: metrics.Discard(), Now: c.Now},
	}
}

func event(t testing.TB, id, typ string, at time.Time, data any) outbox.Event {
	t.Helper()
	e, err := outbox.New(id, typ, 1, at, data)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func lines() []order.Line {
	return []order.Line{
		{SKUID: "sku_t", MerchantID: tea, Category: "tea", Quantity: 2, UnitPrice: cny(5000), Total: cny(10000)},
		{SKUID: "sku_b", MerchantID: books, Category: "rare", Quantity: 1, UnitPrice: cny(20000), Total: cny(20000)},
	}
}

func paid(t testing.TB, orderID string, at time.Time) outbox.Event {
	return event(t, "evt_paid_"+orderID, checkout.TypeOrderPaid, at, checkout.OrderPaid{OrderID: orderID, Total: cny(30000), Lines: lines(), PaidAt: at, Provider: "sandbox"})
}

func refunded(t testing.TB, orderID, refundID string, amount, cumulative int64, typ string, at time.Time) outbox.Event {
	return event(t, "evt_"+typ+"_"+refundID, typ, at, checkout.RefundChanged{OrderID: orderID, RefundID: refundID, Amount: cny(amount),
		Refunded: cny(cumulative), Total: cny(30000), Lines: lines(), Origin: order.RefundRequested, Provider: "sandbox"})
}

func balance(t testing.TB, r *rig, account string) int64 {
	t.Helper()
	a, err := r.book.Account(context.Background(), "CNY", account)
	if errors.Is(err, ledger.ErrAccountNotFound) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return a.CreditsPosted - a.DebitsPosted
}

func balanced(t testing.TB, r *rig) {
	t.Helper()
	b, err := r.book.TrialBalance(context.Background(), "CNY")
	if err != nil {
		t.Fatal(err)
	}
	if !b.Balanced {
		t.Fatalf("trial balance: debits %d, credits %d", b.Debits, b.Credits)
	}
	for _, a := range b.Accounts {
		if a.Kind == ledger.MerchantPayable && a.CreditsPosted < a.DebitsPosted {
			t.Fatalf("payable %s below zero", a.ID)
		}
	}
}

func TestPaidOrderBookedOnceAcrossMerchants(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	e := paid(t, "ord_1", at)
	for range 3 { // redelivered
		if err := r.poster.Apply(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// Republished under another event id: the transfer ids still match.
	e.ID = "evt_again"
	if err := r.poster.Apply(ctx, e); err != nil {
		t.Fatal(err)
	}
	// tea: 10000 − (3% + 0.50) = 10000 − 350; books: 20000 − 10% = 18000.
	if got := balance(t, r, settlement.Payable(tea)); got != 9650 {
		t.Errorf("tea payable %d, want 9650", got)
	}
	if got := balance(t, r, settlement.Payable(books)); got != 18000 {
		t.Errorf("books payable %d, want 18000", got)
	}
	if got := balance(t, r, settlement.FeeRevenue); got != 2350 {
		t.Errorf("fee revenue %d, want 2350", got)
	}
	if got := balance(t, r, settlement.ProviderFees); got != -180 {
		t.Errorf("provider fees %d, want -180 (debit)", got)
	}
	balanced(t, r)
}

func TestRefundBeforeItsSaleWaits(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	ref := refunded(t, "ord_2", "rfd_1", 6000, 6000, checkout.TypeRefundSucceeded, at.Add(time.Minute))
	if err := r.poster.Apply(ctx, ref); !errors.Is(err, settlement.ErrNotReady) {
		t.Fatalf("refund before sale: %v, want ErrNotReady", err)
	}
	if err := r.poster.Apply(ctx, paid(t, "ord_2", at)); err != nil {
		t.Fatal(err)
	}
	if err := r.poster.Apply(ctx, ref); err != nil {
		t.Fatal(err)
	}
	// 6000 of 30000 split 1:2 → tea 2000, books 4000; fees back pro rata:
	// tea 350×2000/10000 = 70, books 2000×4000/20000 = 400.
	if got := balance(t, r, settlement.Payable(tea)); got != 9650-2000+70 {
		t.Errorf("tea payable %d, want %d", got, 9650-2000+70)
	}
	if got := balance(t, r, settlement.Payable(books)); got != 18000-4000+400 {
		t.Errorf("books payable %d, want %d", got, 18000-4000+400)
	}
	// The refund fails after succeeding: its booking is reversed.
	if err := r.poster.Apply(ctx, refunded(t, "ord_2", "rfd_1", 6000, 0, checkout.TypeRefundFailed, at.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if got := balance(t, r, settlement.Payable(tea)); got != 9650 {
		t.Errorf("tea payable after the refund failed %d, want 9650", got)
	}
	balanced(t, r)
}

// A chargeback larger than what a merchant's payable holds never takes the
// payable below zero: the platform advances the shortfall to the merchant's
// receivable, and a won dispute gives the merchant its money back.
func TestDisputeBeyondThePayableIsAdvanced(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	if err := r.poster.Apply(ctx, paid(t, "ord_3", at)); err != nil {
		t.Fatal(err)
	}
	d := checkout.Dispute{OrderID: "ord_3", DisputeID: "dp_1", Amount: cny(30000), Total: cny(30000), Lines: lines()}
	e := event(t, "evt_dp", checkout.TypeDisputeOpened, at, d)
	for range 2 {
		if err := r.poster.Apply(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if got := balance(t, r, settlement.Payable(tea)); got != 0 {
		t.Errorf("tea payable %d after a dispute beyond it, want 0", got)
	}
	if got := -balance(t, r, settlement.Receivable(tea)); got != 350 {
		t.Errorf("tea owes %d, want the 350 its payable lacked", got)
	}
	if got := balance(t, r, settlement.Disputes); got != 30000 {
		t.Errorf("disputes hold %d, want 30000", got)
	}
	d.Status = "won"
	if err := r.poster.Apply(ctx, event(t, "evt_dp3", checkout.TypeDisputeClosed, at, d)); err != nil {
		t.Fatal(err)
	}
	if got := balance(t, r, settlement.Payable(tea)); got != 10000 {
		t.Errorf("tea payable %d after a won dispute, want 10000", got)
	}
	balanced(t, r)
}

func TestSettleDayPaysOutOnceAndLateEventsAdjustNextDay(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	// Books' business day 2026-11-24 runs 24th 00:00 to 25th 00:00 Shanghai
	// (23rd 16:00 to 24th 16:00 UTC).
	day := settle.Date{Year: 2026, Month: 11, Day: 24}
	r.clock.Set(time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC))
	if err := r.poster.Apply(ctx, paid(t, "ord_4", time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	if err := r.poster.Apply(ctx, refunded(t, "ord_4", "rfd_4", 3000, 3000, checkout.TypeRefundSucceeded, time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	if _, err := r.settler.Settle(ctx, books, day); !errors.Is(err, settlement.ErrDayOpen) {
		t.Fatalf("settling an open day: %v", err)
	}
	r.clock.Set(time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC))
	bs, err := r.settler.Settle(ctx, books, day)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 {
		t.Fatalf("%d batches", len(bs))
	}
	b := bs[0]
	// books: sale 20000, fee −2000, refund −2000, fee back +200 → 16200.
	if b.Gross != 20000 || b.Refunds != -2000 || b.Fees != -1800 || b.Net != 16200 || b.Payout.Amount != 16200 {
		t.Errorf("batch %+v", b)
	}
	var sum int64
	for _, l := range b.Lines {
		sum += l.Amount
	}
	if sum+b.CarryIn != b.Net {
		t.Errorf("lines add to %d, net %d", sum, b.Net)
	}
	if got := balance(t, r, settlement.Payable(books)); got != 0 {
		t.Errorf("books payable after payout %d, want 0", got)
	}
	// Again: nothing changes.
	again, err := r.settler.Settle(ctx, books, day)
	if err != nil || len(again) != 1 || again[0].Net != b.Net || len(again[0].TransferIDs) != b.Transfers {
		t.Fatalf("re-run: %+v %v", again, err)
	}
	if got := balance(t, r, settlement.PayoutsInFlight); got != 16200 {
		t.Errorf("payouts in flight %d after a re-run, want 16200", got)
	}
	// A refund of the 24th that arrives after the 24th closed lands on the
	// 25th's batch as a late adjustment.
	late := refunded(t, "ord_4", "rfd_5", 3000, 6000, checkout.TypeRefundSucceeded, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	if err := r.poster.Apply(ctx, late); err != nil {
		t.Fatal(err)
	}
	r.clock.Set(time.Date(2026, 11, 25, 16, 30, 0, 0, time.UTC))
	next, err := r.settler.Settle(ctx, books, day.AddDays(1))
	if err != nil {
		t.Fatal(err)
	}
	// books had been paid out in full: the refund (−2000, +200 fee back)
	// is advanced by the platform (+1800), so the 25th nets zero and books
	// owes 1800.
	if len(next) != 1 || next[0].Net != 0 || next[0].Payout.Amount != 0 {
		t.Fatalf("next batch %+v", next)
	}
	if got := -balance(t, r, settlement.Receivable(books)); got != 1800 {
		t.Errorf("books owes %d, want 1800", got)
	}
	lateLines := 0
	for _, l := range next[0].Lines {
		if l.Late && l.Day == "2026-11-24" {
			lateLines++
		}
	}
	if lateLines == 0 {
		t.Errorf("late refund not shown as an adjustment of the 24th: %+v", next[0].Lines)
	}
	closed, err := r.store.Batch(ctx, books, "2026-11-24", false)
	if err != nil || closed.Net != 16200 {
		t.Errorf("closed batch rewritten: %+v %v", closed, err)
	}
	// The next sale repays the advance before anything is paid out.
	if err := r.poster.Apply(ctx, paid(t, "ord_5", time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	r.clock.Set(time.Date(2026, 11, 26, 16, 30, 0, 0, time.UTC))
	third, err := r.settler.Settle(ctx, books, day.AddDays(2))
	if err != nil {
		t.Fatal(err)
	}
	if len(third) != 1 || third[0].Net != 18000 || third[0].Recovered != 1800 || third[0].Payout.Amount != 16200 {
		t.Fatalf("third batch %+v", third)
	}
	if got := balance(t, r, settlement.Receivable(books)); got != 0 {
		t.Errorf("books still owes %d", -got)
	}
	balanced(t, r)
}

func TestReconcileFindsEachPlantedDiscrepancy(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	r.clock.Set(now)
	var orders []string
	for i := range 4 {
		in, err := r.sandbox.CreateIntent(ctx, payment.CreateRequest{OrderID: fmt.Sprintf("ord_r%d", i), Amount: cny(30000), IdempotencyKey: fmt.Sprintf("k%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.sandbox.Succeed(ctx, in.ID); err != nil {
			t.Fatal(err)
		}
		orders = append(orders, in.ID)
		if err := r.poster.Apply(ctx, paid(t, in.OrderID, now)); err != nil {
			t.Fatal(err)
		}
	}
	// Two partial refunds of the first order.
	for i, amt := range []int64{1000, 2000} {
		rid := fmt.Sprintf("rfd_r%d", i)
		if _, err := r.sandbox.Refund(ctx, payment.RefundRequest{IntentID: orders[0], RefundID: rid, Amount: cny(amt)}); err != nil {
			t.Fatal(err)
		}
		if err := r.poster.Apply(ctx, refunded(t, "ord_r0", rid, amt, 1000*int64(i+1)+1000*int64(i), checkout.TypeRefundSucceeded, now)); err != nil {
			t.Fatal(err)
		}
	}
	run, err := r.recon.Run(ctx, "2026-11-24", "CNY")
	if err != nil {
		t.Fatal(err)
	}
	if run.Unmatched != 0 || run.Matched != 6 {
		t.Fatalf("clean day: %d matched, %d findings %+v", run.Matched, run.Unmatched, run.Findings)
	}
	// Plant one of each.
	err = r.sandbox.SetTamper(ctx, "2026-11-24", sandbox.Tamper{
		Drop: []string{"ch_" + orders[1]}, Duplicate: []string{"ch_" + orders[2]}, Alter: []string{"ch_" + orders[3]}, Delta: 7,
		Currency: []string{"re_sbx_rfd_r1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// And one the provider has that we never booked.
	in, _ := r.sandbox.CreateIntent(ctx, payment.CreateRequest{OrderID: "ord_unbooked", Amount: cny(500), IdempotencyKey: "kx"})
	if _, err := r.sandbox.Succeed(ctx, in.ID); err != nil {
		t.Fatal(err)
	}
	run, err = r.recon.Run(ctx, "2026-11-24", "CNY")
	if err != nil {
		t.Fatal(err)
	}
	want := map[reconcile.Kind]string{
		reconcile.MissingAtProvider: "ord_r1", reconcile.Duplicate: "ord_r2", reconcile.AmountMismatch: "ord_r3",
		reconcile.MissingInLedger: "ord_unbooked", reconcile.CurrencyMismatch: "rfd_r1",
	}
	for kind, ref := range want {
		found := false
		for _, f := range run.Findings {
			if f.Kind == kind && f.Ref == ref {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s finding for %s in %+v", kind, ref, run.Findings)
		}
	}
	runs, err := r.store.Runs(ctx, "2026-11-24")
	if err != nil || len(runs) != 2 {
		t.Fatalf("stored runs %d, %v", len(runs), err)
	}
}

// A random sequence of paid orders, partial refunds, failed refunds,
// disputes and redeliveries, in shuffled order with retries of what was not
// ready, keeps the book balanced and every payable at or above zero after
// every step, and ends with each order's money in exactly one place.
func TestPropertyBookStaysBalanced(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	at := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	var evs []outbox.Event
	var sold, refundedTotal int64
	for i := range 6 {
		id := fmt.Sprintf("ord_p%d", i)
		evs = append(evs, paid(t, id, at))
		sold += 30000
		var cum int64
		for j := range rng.IntN(3) {
			amt := 1 + rng.Int64N(30000-cum)/2
			cum += amt
			rid := fmt.Sprintf("rfd_p%d_%d", i, j)
			evs = append(evs, refunded(t, id, rid, amt, cum, checkout.TypeRefundSucceeded, at.Add(time.Minute)))
			refundedTotal += amt
		}
	}
	rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	// Redeliver some.
	evs = append(evs, evs[:4]...)
	pending := evs
	for round := 0; len(pending) > 0 && round < 10; round++ {
		var retry []outbox.Event
		for _, e := range pending {
			err := r.poster.Apply(ctx, e)
			switch {
			case errors.Is(err, settlement.ErrNotReady):
				retry = append(retry, e)
			case err != nil:
				t.Fatalf("apply %s: %v", e.ID, err)
			}
			balanced(t, r)
		}
		pending = retry
	}
	if len(pending) > 0 {
		t.Fatalf("%d events never applied", len(pending))
	}
	// Money in = money in payables + fees + money refunded.
	clearing := -balance(t, r, settlement.Clearing)
	payables := balance(t, r, settlement.Payable(tea)) + balance(t, r, settlement.Payable(books))
	fees := balance(t, r, settlement.FeeRevenue)
	pfees := -balance(t, r, settlement.ProviderFees)
	if clearing+pfees != sold-refundedTotal {
		t.Errorf("clearing %d + provider fees %d, want sold %d − refunded %d", clearing, pfees, sold, refundedTotal)
	}
	if payables+fees != sold-refundedTotal {
		t.Errorf("payables %d + fees %d = %d, want %d", payables, fees, payables+fees, sold-refundedTotal)
	}
}

// An early close pays out the day so far; what comes later that day
// settles with the next batch as a late adjustment, never rewriting the
// closed one.
func TestSettleEarly(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	day := settle.Date{Year: 2026, Month: 11, Day: 24} // books: 23rd 16:00 to 24th 16:00 UTC
	r.clock.Set(time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC))
	if err := r.poster.Apply(ctx, paid(t, "ord_e1", time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	r.clock.Set(time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC))
	if _, err := r.settler.Settle(ctx, books, day); !errors.Is(err, settlement.ErrDayOpen) {
		t.Fatalf("plain settle of an open day: %v", err)
	}
	bs, err := r.settler.SettleEarly(ctx, books, day)
	if err != nil || len(bs) != 1 || bs[0].Payout.Amount != 18000 {
		t.Fatalf("early: %+v %v", bs, err)
	}
	r.clock.Set(time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC))
	if err := r.poster.Apply(ctx, paid(t, "ord_e2", time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	r.clock.Set(time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC))
	next, err := r.settler.Settle(ctx, books, day.AddDays(1))
	if err != nil || len(next) != 1 || next[0].Payout.Amount != 18000 || len(next[0].Lines) == 0 || !next[0].Lines[0].Late {
		t.Fatalf("next: %+v %v", next, err)
	}
	balanced(t, r)
}
