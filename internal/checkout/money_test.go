package checkout_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// The money-correctness review's repros, one test each: each failed on
// the code before the fix.

// refundEvent is the provider's word on one refund.
func refundEvent(o order.Order, r checkout.RefundRecord, status string, n int) payment.Event {
	return payment.Event{Provider: "sandbox", ID: fmt.Sprintf("evt_refund_%s_%s_%d", r.ID, status, n), Type: payment.EventRefund,
		IntentID: o.Payment.ID, OrderID: o.ID, Amount: r.Amount, RefundID: r.ID, ProviderRefundID: "re_sbx_" + r.ID, RefundStatus: status}
}

func cny(n int64) *money.Money { return &money.Money{Amount: n, Currency: "CNY"} }

// 1. A refund is money-final only when the provider says it succeeded; a
// later failure gives the amount back and reopens the refundable balance.
func TestPendingRefundThatFailsGivesTheAmountBack(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.paidOrder(t) // 20.00
	svc := checkout.New(e.db, e.cfg, pendingRefunds{e.payments}, e.queue, e.events)
	svc.Now = e.clock.Now
	r, err := svc.Refund(ctx, o.ID, checkout.RefundRequest{Key: "all"})
	if err != nil {
		t.Fatal(err)
	}
	got := e.status(t, o.ID)
	if got.Status != order.Paid || got.Refunded.Amount != 0 || got.RefundPending.Amount != 2000 {
		t.Fatalf("while pending: %s refunded %v pending %v; want PAID, 0, 20.00 pending", got.Status, got.Refunded, got.RefundPending)
	}
	if err := e.payments.FailRefund(ctx, o.Payment.ID, r.ID, r.Amount.Amount); err != nil {
		t.Fatal(err)
	}
	if err := svc.ApplyPayment(ctx, refundEvent(o, r, "failed", 1)); err != nil {
		t.Fatal(err)
	}
	got = e.status(t, o.ID)
	if got.Status != order.Paid || got.Refunded.Amount != 0 || got.RefundPending.Amount != 0 || got.Refunds[0].Status != checkout.RefundFailed {
		t.Fatalf("after the failure: %s refunded %v pending %v refunds %+v", got.Status, got.Refunded, got.RefundPending, got.Refunds)
	}
	// The balance is open again: a new refund is accepted.
	if _, err := e.svc.Refund(ctx, o.ID, checkout.RefundRequest{Key: "again"}); err != nil {
		t.Fatalf("a new refund after the failure: %v", err)
	}
	if got := e.status(t, o.ID); got.Status != order.Refunded || got.Refunded != got.Total {
		t.Errorf("after the second refund: %s refunded %v", got.Status, got.Refunded)
	}
}

// 2. The order's refunded status follows succeeded refunds, not requested ones.
func TestRefundedStatusFollowsConfirmedRefunds(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.paidOrder(t) // 20.00
	slow := checkout.New(e.db, e.cfg, pendingRefunds{e.payments}, e.queue, e.events)
	slow.Now = e.clock.Now
	a, err := slow.Refund(ctx, o.ID, checkout.RefundRequest{Amount: cny(1200), Key: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Refund(ctx, o.ID, checkout.RefundRequest{Amount: cny(800), Key: "b"}); err != nil {
		t.Fatal(err)
	}
	if got := e.status(t, o.ID); got.Status != order.Paid || got.Refunded.Amount != 800 {
		t.Fatalf("with A pending and B done: %s refunded %v; want PAID with 8.00", got.Status, got.Refunded)
	}
	if err := e.payments.FailRefund(ctx, o.Payment.ID, a.ID, a.Amount.Amount); err != nil {
		t.Fatal(err)
	}
	if err := slow.ApplyPayment(ctx, refundEvent(o, a, "failed", 1)); err != nil {
		t.Fatal(err)
	}
	got := e.status(t, o.ID)
	if got.Status != order.Paid || got.Refunded.Amount != 800 || got.Refundable().Amount != 1200 {
		t.Fatalf("after A failed: %s refunded %v refundable %v; want PAID, 8.00, 12.00", got.Status, got.Refunded, got.Refundable())
	}
}

// 3. A late payment's refund is recorded before the provider is asked, so
// an outage through every delivery cannot lose it: the retry job finds it.
func TestLatePaymentRefundSurvivesAProviderOutage(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.place(t, 1)
	e.clock.Advance(16 * time.Minute)
	if _, err := e.svc.Expire(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.payments.CaptureDespiteCancel(ctx, o.Payment.ID); err != nil {
		t.Fatal(err)
	}
	down := &refundFaults{Provider: e.payments, failures: 100, err: fmt.Errorf("down: %w", payment.ErrUnavailable)}
	svc := checkout.New(e.db, e.cfg, down, e.queue, e.events)
	svc.Now = e.clock.Now
	for range 5 { // every delivery of the event, while the provider is down
		if err := svc.ApplyPayment(ctx, event(o, payment.EventSucceeded, 1)); err != nil {
			t.Fatalf("the event is handled (the refund is recorded) even while the provider is down: %v", err)
		}
	}
	got := e.status(t, o.ID)
	if got.Status != order.Expired || len(got.Refunds) != 1 || got.Refunds[0].Status != checkout.RefundPending || got.RefundPending != got.Total {
		t.Fatalf("after the outage: %s refunds %+v pending %v; want EXPIRED with the owed refund recorded", got.Status, got.Refunds, got.RefundPending)
	}
	e.clock.Advance(10 * time.Minute)
	if n, err := e.svc.RetryRefunds(ctx, 5*time.Minute, 10); err != nil || n != 1 {
		t.Fatalf("retry job settled %d, %v; want the owed refund", n, err)
	}
	if got := e.status(t, o.ID); got.Status != order.Refunded || got.Refunded != got.Total {
		t.Errorf("after the retry job: %s refunded %v; want REFUNDED in full", got.Status, got.Refunded)
	}
	e.invariants(t, 10, o.ID)
}

// 4. Refunds made in the provider's dashboard are recorded and applied.
func TestRefundsMadeAtTheProviderAreApplied(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		amount     int64
		wantStatus order.Status
		// noOrder: the event names only the intent (Stripe's refund object).
		noOrder bool
	}{
		{"partial", 500, order.Paid, false},
		{"full", 2000, order.Refunded, false},
		{"naming only the intent", 700, order.Paid, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, 10)
			o := e.paidOrder(t)
			ev := payment.Event{Provider: "sandbox", ID: "evt_dash_" + tt.name, Type: payment.EventRefund, IntentID: o.Payment.ID, OrderID: o.ID,
				Amount: *cny(tt.amount), ProviderRefundID: "re_dashboard_1", RefundStatus: "succeeded"}
			if tt.noOrder {
				ev.OrderID = ""
			}
			for range 2 {
				if err := e.svc.ApplyPayment(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
			got := e.status(t, o.ID)
			if got.Status != tt.wantStatus || got.Refunded.Amount != tt.amount || len(got.Refunds) != 1 || got.Refunds[0].Origin != order.RefundAtProvider {
				t.Errorf("%s refunded %v refunds %+v; want %s with %d recorded once", got.Status, got.Refunded, got.Refunds, tt.wantStatus, tt.amount)
			}
		})
	}
}

// 5. Refund statuses follow their own transition table: a stale pending
// never moves a succeeded refund back.
func TestStaleRefundEventsChangeNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.paidOrder(t)
	r, err := e.svc.Refund(ctx, o.ID, checkout.RefundRequest{Amount: cny(500), Key: "k"})
	if err != nil || r.Status != checkout.RefundSucceeded {
		t.Fatalf("refund = %+v, %v", r, err)
	}
	if err := e.svc.ApplyPayment(ctx, refundEvent(o, r, "pending", 1)); err != nil {
		t.Fatal(err)
	}
	if got := e.status(t, o.ID); got.Refunds[0].Status != checkout.RefundSucceeded || got.Refunded.Amount != 500 {
		t.Errorf("after a stale pending: %+v refunded %v", got.Refunds, got.Refunded)
	}
	for _, tt := range []struct{ from, to order.RefundStatus }{
		{order.RefundSucceeded, order.RefundPending}, {order.RefundFailed, order.RefundSucceeded}, {order.RefundFailed, order.RefundPending},
	} {
		if order.CanRefundTransition(tt.from, tt.to) {
			t.Errorf("refund may move %s → %s", tt.from, tt.to)
		}
	}
}

// 6. A refused refund's replay says it was refused, and a key stays bound
// to the refund it made.
func TestRefusedRefundReplaysRefusedAndKeysStayBound(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.paidOrder(t)
	refusing := &refundFaults{Provider: e.payments, failures: 1, err: errors.New("card network refused")}
	svc := checkout.New(e.db, e.cfg, refusing, e.queue, e.events)
	svc.Now = e.clock.Now
	req := checkout.RefundRequest{Amount: cny(500), Key: "k-refused"}
	if _, err := svc.Refund(ctx, o.ID, req); !errors.Is(err, checkout.ErrRefundFailed) {
		t.Fatalf("first: %v, want refused", err)
	}
	r, err := svc.Refund(ctx, o.ID, req)
	if !errors.Is(err, checkout.ErrRefundFailed) || r.Status != checkout.RefundFailed {
		t.Errorf("replay: %+v, %v; want the refused refund, refused", r, err)
	}
	if refusing.calls != 1 {
		t.Errorf("provider asked %d times, want once", refusing.calls)
	}
	other := checkout.RefundRequest{Amount: cny(700), Key: "k-refused"}
	if _, err := svc.Refund(ctx, o.ID, other); !errors.Is(err, checkout.ErrKeyReused) {
		t.Errorf("same key, other amount: %v, want ErrKeyReused", err)
	}
}

// 7. "Refund the rest" with nothing left is refused and sends nothing.
func TestRefundOfNothingLeftSendsNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.paidOrder(t)
	if _, err := e.svc.Refund(ctx, o.ID, checkout.RefundRequest{Key: "all"}); err != nil {
		t.Fatal(err)
	}
	counting := &refundFaults{Provider: e.payments}
	svc := checkout.New(e.db, e.cfg, counting, e.queue, e.events)
	svc.Now = e.clock.Now
	_, err := svc.Refund(ctx, o.ID, checkout.RefundRequest{Key: "rest"})
	if code := problem.CodeOf(err); code != problem.Conflict {
		t.Errorf("refund of nothing: %v, want 409", err)
	}
	if counting.calls != 0 || len(e.status(t, o.ID).Refunds) != 1 {
		t.Errorf("provider asked %d times; refunds %d; want nothing sent or recorded", counting.calls, len(e.status(t, o.ID).Refunds))
	}
}

// 9. A success that does not match the order (amount, currency) parks it.
func TestMismatchedCaptureIsParkedForReview(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.place(t, 1) // 10.00 CNY
	ev := event(o, payment.EventSucceeded, 1)
	ev.Amount = money.Money{Amount: 1, Currency: "USD"}
	if err := e.svc.ApplyPayment(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if got := e.status(t, o.ID); got.Status != order.PaymentReview {
		t.Errorf("status %s, want PAYMENT_REVIEW", got.Status)
	}
	if ids := e.orderEvents(t); len(ids) != 0 {
		t.Errorf("events %v; want no OrderPaid for a mismatched capture", ids)
	}
}

// 10. A decline the shopper may retry keeps the order; a final failure ends it.
func TestDeclineKeepsTheOrderFinalFailureEndsIt(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.place(t, 1)
	decline := event(o, payment.EventFailed, 1)
	decline.Retryable, decline.DeclineCode = true, "insufficient_funds"
	if err := e.svc.ApplyPayment(ctx, decline); err != nil {
		t.Fatal(err)
	}
	if got := e.status(t, o.ID); got.Status != order.PendingPayment || e.available(t, e.skus[0]) != 9 {
		t.Fatalf("after a decline: %s, stock %d; want PENDING_PAYMENT with stock held", got.Status, e.available(t, e.skus[0]))
	}
	if err := e.svc.ApplyPayment(ctx, event(o, payment.EventFailed, 2)); err != nil {
		t.Fatal(err)
	}
	if got := e.status(t, o.ID); got.Status != order.Cancelled || e.available(t, e.skus[0]) != 10 {
		t.Errorf("after a final failure: %s stock %d; want CANCELLED, stock back", got.Status, e.available(t, e.skus[0]))
	}
}

// lostAnswer commits TransactWriteItems and then reports a failure, as a
// timeout after the commit would.
func lostAnswer(times *int) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("lose-answer", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				if err == nil && *times > 0 && awsmw.GetOperationName(ctx) == "TransactWriteItems" {
					*times--
					return out, md, errors.New("read tcp: connection reset by peer")
				}
				return out, md, err
			}), middleware.Before)
		})
	}
}

// 11. A committed placement whose answer is lost is found by reading, not
// undone: one order, its intent left open.
func TestPlacementWithALostAnswerIsFoundNotUndone(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	lose := 1
	svc := checkout.New(dynamodb.NewFromConfig(awstest.Config(t), lostAnswer(&lose)), e.cfg, e.payments, e.queue, e.events)
	svc.Now = e.clock.Now
	o, err := svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 2}}, Fulfilment: shipTo()}, nil)
	if err != nil {
		t.Fatalf("place with a lost answer: %v; want the order", err)
	}
	got := e.status(t, o.ID)
	in, _ := e.payments.GetIntent(ctx, o.Payment.ID)
	if got.Status != order.PendingPayment || in.Status != payment.RequiresPayment || e.available(t, e.skus[0]) != 8 {
		t.Errorf("order %s intent %s stock %d; want it placed and payable", got.Status, in.Status, e.available(t, e.skus[0]))
	}
}

// 12. One shopper cannot hold everything unpaid.
func TestUnpaidHoldsPerShopperAreCapped(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 100)
	cfg := e.cfg
	cfg.MaxUnpaidOrders, cfg.MaxHeldUnits = 2, 10
	svc := checkout.New(e.db, cfg, e.payments, e.queue, e.events)
	svc.Now = e.clock.Now
	place := func(who string, qty int64) (order.Order, error) {
		return svc.Place(ctx, who, order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: qty}}, Fulfilment: shipTo()}, nil)
	}
	first, err := place("hoarder", 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := place("hoarder", 7); problem.CodeOf(err) != problem.TooManyRequests {
		t.Errorf("over the held units: %v, want 429", err)
	}
	if _, err := place("hoarder", 4); err != nil {
		t.Fatal(err)
	}
	if _, err := place("hoarder", 1); problem.CodeOf(err) != problem.TooManyRequests {
		t.Errorf("a third unpaid order: %v, want 429", err)
	}
	if _, err := place("someone-else", 1); err != nil {
		t.Errorf("another shopper: %v", err)
	}
	if _, err := svc.Cancel(ctx, "hoarder", first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := place("hoarder", 1); err != nil {
		t.Errorf("after cancelling one: %v, want placed", err)
	}
	if got := e.available(t, e.skus[0]); got != 100-4-1-1 {
		t.Errorf("stock %d, want %d (refused orders hold nothing)", got, 100-6)
	}
}

// The saga's invariant after a seeded random mix of every path: every
// captured amount is on a PAID order or refunded by refunds the provider
// confirmed, and stock is held exactly for paid orders.
func TestRandomMixKeepsMoneyInvariants(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 1000)
	rng := rand.New(rand.NewPCG(7, 15))
	pending := pendingRefunds{e.payments}
	slow := checkout.New(e.db, e.cfg, pending, e.queue, e.events)
	slow.Now = e.clock.Now
	var ids []string
	for i := range 24 {
		o, err := e.svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1 + int64(rng.IntN(3))}}, Fulfilment: shipTo()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
		switch rng.IntN(6) {
		case 0: // paid, then refunded in part by the merchant
			e.pay(t, o, i)
			_, _ = e.svc.Refund(ctx, o.ID, checkout.RefundRequest{Amount: cny(500), Key: fmt.Sprint("p", i)})
		case 1: // paid, slow refund that the provider then refuses
			e.pay(t, o, i)
			r, err := slow.Refund(ctx, o.ID, checkout.RefundRequest{Key: fmt.Sprint("s", i)})
			if err == nil {
				_ = e.payments.FailRefund(ctx, o.Payment.ID, r.ID, r.Amount.Amount)
				_ = slow.ApplyPayment(ctx, refundEvent(o, r, "failed", i))
			}
		case 2: // expired, then paid late: refunded
			e.clock.Advance(16 * time.Minute)
			_, _ = e.svc.Expire(ctx, o.ID)
			_, _ = e.payments.CaptureDespiteCancel(ctx, o.Payment.ID)
			_ = e.svc.ApplyPayment(ctx, event(o, payment.EventSucceeded, i))
		case 3: // paid, delivered twice, refunded in full at the provider's dashboard
			e.pay(t, o, i)
			e.pay(t, o, i)
			_ = e.svc.ApplyPayment(ctx, payment.Event{Provider: "sandbox", ID: fmt.Sprint("evt_dash_", i), Type: payment.EventRefund,
				IntentID: o.Payment.ID, OrderID: o.ID, Amount: o.Total, ProviderRefundID: fmt.Sprint("re_dash_", i), RefundStatus: "succeeded"})
		case 4: // cancelled by the shopper
			_, _ = e.svc.Cancel(ctx, "alice", o.ID)
		default: // declined, then paid
			d := event(o, payment.EventFailed, i)
			d.Retryable = true
			_ = e.svc.ApplyPayment(ctx, d)
			e.pay(t, o, i+100)
		}
	}
	e.moneyInvariants(t, ids...)
}

// pay captures o at the sandbox and applies the success event number n.
func (e *env) pay(t *testing.T, o order.Order, n int) {
	t.Helper()
	if _, err := e.payments.Succeed(context.Background(), o.Payment.ID); err != nil && !errors.Is(err, payment.ErrIntentSucceeded) {
		t.Fatal(err)
	}
	if err := e.svc.ApplyPayment(context.Background(), event(o, payment.EventSucceeded, n)); err != nil {
		t.Fatal(err)
	}
}

// moneyInvariants: every captured payment is on a PAID order or refunded
// with refunds the provider confirmed; confirmed and pending refunds never
// exceed the capture; refund records add up to the order's sums.
func (e *env) moneyInvariants(t *testing.T, ids ...string) {
	t.Helper()
	ctx := context.Background()
	for _, id := range ids {
		o := e.status(t, id)
		in, err := e.payments.GetIntent(ctx, o.Payment.ID)
		if err != nil {
			t.Fatal(err)
		}
		var confirmed, pending int64
		for _, r := range o.Refunds {
			switch r.Status {
			case order.RefundSucceeded:
				confirmed += r.Amount.Amount
			case order.RefundPending:
				pending += r.Amount.Amount
			}
		}
		if confirmed != o.Refunded.Amount || pending != o.RefundPending.Amount {
			t.Errorf("order %s: refunds confirm %d pending %d, the order says %v and %v", id, confirmed, pending, o.Refunded, o.RefundPending)
		}
		if o.Refunded.Amount+o.RefundPending.Amount > o.Total.Amount {
			t.Errorf("order %s: refunds %v + %v exceed the total %v", id, o.Refunded, o.RefundPending, o.Total)
		}
		captured := in.Status == payment.Succeeded
		// A paid order held for risk review keeps the money until an
		// operator approves it (PAID) or rejects it (refunded in full).
		holds := o.Status == order.Paid || o.Status == order.PendingReview
		if captured && !holds && !(o.Status == order.Refunded && confirmed == o.Total.Amount) {
			t.Errorf("order %s is %s (confirmed refunds %d of %v) but its payment was captured: money lost", id, o.Status, confirmed, o.Total)
		}
		if !captured && (holds || o.Status == order.Refunded) {
			t.Errorf("order %s is %s but the provider says %s", id, o.Status, in.Status)
		}
	}
}

// afterCommit cancels the caller's context as soon as TransactWriteItems
// has committed: a client that hangs up right after the commit.
func afterCommit(cancel context.CancelFunc) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("client-leaves", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				if awsmw.GetOperationName(ctx) == "TransactWriteItems" {
					cancel()
				}
				return out, md, err
			}), middleware.Before)
		})
	}
}

// A caller leaving right after the commit changes nothing: the order is
// placed, answered, and its payment timeout is scheduled.
func TestClientLeavingAfterCommitStillSchedulesTheTimeout(t *testing.T) {
	e := newEnv(t, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc := checkout.New(dynamodb.NewFromConfig(awstest.Config(t), afterCommit(cancel)), e.cfg, e.payments, e.queue, e.events)
	svc.Now = e.clock.Now
	o, err := svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1}}, Fulfilment: shipTo()}, nil)
	if err != nil {
		t.Fatalf("place: %v", err)
	}
	if ctx.Err() == nil {
		t.Fatal("the caller's context was not cancelled: the test proves nothing")
	}
	if sent := e.queue.Sent(); len(sent) != 1 || !strings.Contains(aws.ToString(sent[0].MessageBody), o.ID) {
		t.Errorf("timeout messages %d, want the order's", len(sent))
	}
	if got := e.status(t, o.ID); got.Status != order.PendingPayment {
		t.Errorf("order %s, want PENDING_PAYMENT", got.Status)
	}
}
