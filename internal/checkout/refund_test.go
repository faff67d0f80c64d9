package checkout_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// refundFaults wraps the sandbox provider: its next refunds fail with err.
type refundFaults struct {
	payment.Provider
	failures int
	err      error
	calls    int
}

func (p *refundFaults) Refund(ctx context.Context, req payment.RefundRequest) (payment.Refund, error) {
	p.calls++
	if p.failures > 0 {
		p.failures--
		return payment.Refund{}, p.err
	}
	return p.Provider.Refund(ctx, req)
}

func (e *env) paidOrder(t *testing.T) order.Order {
	t.Helper()
	ctx := context.Background()
	o := e.place(t, 2)
	if _, err := e.payments.Succeed(ctx, o.Payment.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ApplyPayment(ctx, event(o, payment.EventSucceeded, 1)); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestRefundOutageIsResumedNeverDoubled(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.paidOrder(t)
	psp := &refundFaults{Provider: e.payments, failures: 1, err: fmt.Errorf("timeout: %w", payment.ErrUnavailable)}
	svc := checkout.New(e.db, e.cfg, psp, e.queue, e.events)
	svc.Now = e.clock.Now
	part := money.Money{Amount: 500, Currency: "CNY"}
	req := checkout.RefundRequest{Amount: &part, Key: "refund-key-1"}

	if _, err := svc.Refund(ctx, o.ID, req); !errors.Is(err, checkout.ErrRefundPending) {
		t.Fatalf("refund during an outage err = %v, want ErrRefundPending", err)
	}
	// A refund is money-final only when the provider says so: pending until then.
	if got := e.status(t, o.ID); got.RefundPending.Amount != 500 || got.Refunded.Amount != 0 || len(got.Refunds) != 1 || got.Refunds[0].Status != checkout.RefundPending {
		t.Fatalf("after the outage: refunded %v, refunds %+v; want 5.00 reserved and pending", got.Refunded, got.Refunds)
	}
	// The client retries with the same key: the same refund, resumed.
	r, err := svc.Refund(ctx, o.ID, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.Refund(ctx, o.ID, req)
	if err != nil || again.ID != r.ID {
		t.Fatalf("third call = %+v, %v; want the same refund", again, err)
	}
	got := e.status(t, o.ID)
	if got.Refunded.Amount != 500 || len(got.Refunds) != 1 || got.Refunds[0].Status != checkout.RefundSucceeded {
		t.Errorf("after the retry: refunded %v, refunds %+v; want one 5.00 refund, succeeded", got.Refunded, got.Refunds)
	}
	if psp.calls != 2 {
		t.Errorf("provider asked %d times, want 2 (the outage and the resume)", psp.calls)
	}
}

func TestRefundRetryJobSettlesAbandonedRefunds(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.paidOrder(t)
	psp := &refundFaults{Provider: e.payments, failures: 1, err: payment.ErrUnavailable}
	svc := checkout.New(e.db, e.cfg, psp, e.queue, e.events)
	svc.Now = e.clock.Now
	if _, err := svc.Refund(ctx, o.ID, checkout.RefundRequest{Key: "k"}); !errors.Is(err, checkout.ErrRefundPending) {
		t.Fatalf("err = %v, want pending", err)
	}
	// The client never retries. Too early for the job:
	if n, err := svc.RetryRefunds(ctx, 5*time.Minute, 10); err != nil || n != 0 {
		t.Fatalf("early retry job = %d, %v; want nothing due", n, err)
	}
	e.clock.Advance(10 * time.Minute)
	if n, err := svc.RetryRefunds(ctx, 5*time.Minute, 10); err != nil || n != 1 {
		t.Fatalf("retry job = %d, %v; want 1 settled", n, err)
	}
	if got := e.status(t, o.ID); got.Status != order.Refunded || got.Refunds[0].Status != checkout.RefundSucceeded {
		t.Errorf("after the job: %s, %+v; want REFUNDED", got.Status, got.Refunds)
	}
	if n, _ := svc.RetryRefunds(ctx, 5*time.Minute, 10); n != 0 {
		t.Errorf("second run settled %d, want 0", n)
	}
}

func TestRefusedRefundGivesTheAmountBack(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.paidOrder(t)
	psp := &refundFaults{Provider: e.payments, failures: 1, err: errors.New("card network refused")}
	svc := checkout.New(e.db, e.cfg, psp, e.queue, e.events)
	svc.Now = e.clock.Now
	_, err := svc.Refund(ctx, o.ID, checkout.RefundRequest{Key: "k"})
	if problem.CodeOf(err) != problem.Unprocessable {
		t.Fatalf("err = %v, want unprocessable", err)
	}
	got := e.status(t, o.ID)
	if got.Refunded.Amount != 0 || got.Status != order.Paid || got.Refunds[0].Status != checkout.RefundFailed {
		t.Errorf("after a refusal: %s refunded %v refunds %+v; want PAID, nothing refunded, FAILED", got.Status, got.Refunded, got.Refunds)
	}
	if n, _ := svc.RetryRefunds(ctx, 0, 10); n != 0 {
		t.Errorf("retry job picked up a failed refund")
	}
}

// pendingRefunds answers refunds as Stripe often does: accepted, pending.
type pendingRefunds struct{ payment.Provider }

func (p pendingRefunds) Refund(ctx context.Context, req payment.RefundRequest) (payment.Refund, error) {
	r, err := p.Provider.Refund(ctx, req)
	r.Status = "pending"
	return r, err
}

func TestRefundStatusFollowsProviderEvents(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.paidOrder(t)
	svc := checkout.New(e.db, e.cfg, pendingRefunds{e.payments}, e.queue, e.events)
	svc.Now = e.clock.Now
	r, err := svc.Refund(ctx, o.ID, checkout.RefundRequest{Key: "k"})
	if err != nil || r.Status != checkout.RefundPending {
		t.Fatalf("refund = %+v, %v; want accepted and pending", r, err)
	}
	// Accepted by the provider: not for the retry job, even while pending.
	e.clock.Advance(time.Hour)
	if n, _ := svc.RetryRefunds(ctx, time.Minute, 10); n != 0 {
		t.Errorf("retry job took %d submitted refunds", n)
	}
	ev := payment.Event{Provider: "sandbox", ID: "evt_r:re_1", Type: payment.EventRefund, IntentID: o.Payment.ID, OrderID: o.ID,
		Amount: r.Amount, RefundID: r.ID, RefundStatus: "succeeded"}
	for range 2 {
		if err := svc.ApplyPayment(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.status(t, o.ID); got.Refunds[0].Status != checkout.RefundSucceeded {
		t.Errorf("after the provider's event: %+v, want SUCCEEDED", got.Refunds)
	}
	// An event for a refund not recorded yet is retried later.
	ev.RefundID = "rfd_aaaaaaaaaaaaaaaa"
	if err := svc.ApplyPayment(ctx, ev); !errors.Is(err, checkout.ErrOrderNotFound) {
		t.Errorf("unknown refund err = %v, want a retryable not-found", err)
	}
}
