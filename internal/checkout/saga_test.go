package checkout_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

func (e *env) place(t *testing.T, qty int64) order.Order {
	t.Helper()
	o, err := e.svc.Place(context.Background(), "alice", order.PlaceRequest{
		Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: qty}}, Fulfilment: shipTo(),
		Booking: &order.BookingRequest{StoreID: e.store, SlotID: e.slot},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func event(o order.Order, typ payment.EventType, n int) payment.Event {
	return payment.Event{Provider: "sandbox", ID: fmt.Sprintf("evt_%s_%d", typ, n), Type: typ,
		IntentID: o.Payment.ID, OrderID: o.ID, Amount: o.Total, Created: time.Now()}
}

func (e *env) status(t *testing.T, id string) order.Order {
	t.Helper()
	o, err := e.svc.Order(context.Background(), "alice", id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// orderEvents drains the OrderEvents queue and returns the event ids.
func (e *env) orderEvents(t *testing.T) []string {
	t.Helper()
	var ids []string
	for {
		out, err := e.queue.Client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: &e.eventsURL, MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return ids
		}
		for _, m := range out.Messages {
			ids = append(ids, aws.ToString(m.MessageAttributes["eventId"].StringValue))
			_, _ = e.queue.Client.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &e.eventsURL, ReceiptHandle: m.ReceiptHandle})
		}
	}
}

// invariants: stock and slot are held exactly for PAID orders; every
// captured payment is on a PAID order or refunded in full; each order
// emitted OrderPaid at most once.
func (e *env) invariants(t *testing.T, initialStock int64, orders ...string) {
	t.Helper()
	ctx := context.Background()
	held, booked := int64(0), 0
	for _, id := range orders {
		o := e.status(t, id)
		in, err := e.payments.GetIntent(ctx, o.Payment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status == order.Paid {
			held += o.Lines[0].Quantity
			booked++
		}
		if in.Status == payment.Succeeded && o.Status != order.Paid && !(o.Status == order.Refunded && o.Refunded == o.Total) {
			t.Errorf("order %s is %s (refunded %v) but its payment was captured: a lost payment", id, o.Status, o.Refunded)
		}
		if o.Status == order.Paid && in.Status != payment.Succeeded {
			t.Errorf("order %s is PAID but the provider says %s", id, in.Status)
		}
	}
	if got := e.available(t, e.skus[0]); got != initialStock-held {
		t.Errorf("stock = %d, want %d (held only for paid orders)", got, initialStock-held)
	}
	if got := e.booked(t, e.slot); got != booked {
		t.Errorf("slot booked = %d, want %d", got, booked)
	}
	seen := map[string]int{}
	for _, id := range e.orderEvents(t) {
		seen[id]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("OrderPaid %s sent %d times", id, n)
		}
	}
}

func TestDuplicateSuccessIsAppliedOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.place(t, 2)
	if _, err := e.payments.Succeed(ctx, o.Payment.ID); err != nil {
		t.Fatal(err)
	}
	ev := event(o, payment.EventSucceeded, 1)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.svc.ApplyPayment(ctx, ev); err != nil {
				failed.Add(1)
				t.Errorf("apply: %v", err)
			}
		}()
	}
	wg.Wait()
	got := e.status(t, o.ID)
	if got.Status != order.Paid || got.Version != 2 || got.Payment.Status != payment.Succeeded {
		t.Fatalf("order %s v%d payment %s, want PAID once", got.Status, got.Version, got.Payment.Status)
	}
	if events := e.orderEvents(t); len(events) != 1 || events[0] != "evt_orderpaid_"+o.ID {
		t.Errorf("OrderPaid events = %v, want exactly one", events)
	}
	// Paid orders keep their stock; a timeout or sweep later changes nothing.
	e.clock.Advance(time.Hour)
	if err := e.svc.HandleTimeout(ctx, checkout.TimeoutMessage{OrderID: o.ID, ExpiresAt: o.Payment.ExpiresAt}); err != nil {
		t.Fatal(err)
	}
	if res, _ := e.svc.Sweep(ctx, 100); res.Found != 0 {
		t.Errorf("sweep found %d reservations of a paid order, want 0 (consumed)", res.Found)
	}
	e.invariants(t, 10, o.ID)
}

func TestOutOfOrderFailureNeverMovesBackwards(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	// Success first, then the stale failure of an earlier attempt.
	a := e.place(t, 1)
	if _, err := e.payments.Succeed(ctx, a.Payment.ID); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []payment.Event{event(a, payment.EventSucceeded, 2), event(a, payment.EventFailed, 1)} {
		if err := e.svc.ApplyPayment(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.status(t, a.ID); got.Status != order.Paid {
		t.Errorf("after success then stale failure: %s, want PAID", got.Status)
	}
	// The failure arrives first, but the provider already says succeeded.
	b := e.place(t, 1)
	if _, err := e.payments.Succeed(ctx, b.Payment.ID); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []payment.Event{event(b, payment.EventFailed, 1), event(b, payment.EventSucceeded, 2)} {
		if err := e.svc.ApplyPayment(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.status(t, b.ID); got.Status != order.Paid || got.Version != 2 {
		t.Errorf("after reversed delivery: %s v%d, want PAID once", got.Status, got.Version)
	}
	e.invariants(t, 10, a.ID, b.ID)
}

func TestFailureReleasesThenLateSuccessIsRefunded(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.place(t, 3)
	if err := e.svc.ApplyPayment(ctx, event(o, payment.EventFailed, 1)); err != nil {
		t.Fatal(err)
	}
	got := e.status(t, o.ID)
	if got.Status != order.Cancelled || len(got.History) != 3 || got.History[1].Status != order.PaymentFailed {
		t.Fatalf("after failure: %s, history %+v; want PAYMENT_FAILED then CANCELLED", got.Status, got.History)
	}
	if e.available(t, e.skus[0]) != 10 || e.booked(t, e.slot) != 0 {
		t.Fatal("stock or slot not released after the failure")
	}
	// The PSP captured after all: the success is refunded, never lost.
	if _, err := e.payments.CaptureDespiteCancel(ctx, o.Payment.ID); err != nil {
		t.Fatal(err)
	}
	for range 3 { // delivered three times: refunded once
		if err := e.svc.ApplyPayment(ctx, event(o, payment.EventSucceeded, 2)); err != nil {
			t.Fatal(err)
		}
	}
	got = e.status(t, o.ID)
	if got.Status != order.Refunded || got.Refunded != got.Total {
		t.Errorf("after late success: %s refunded %v, want REFUNDED in full", got.Status, got.Refunded)
	}
	refunds, err := e.svc.Refunds(ctx, o.ID)
	if err != nil || len(refunds) != 1 || refunds[0].Amount != o.Total {
		t.Errorf("refunds = %+v, %v; want one full refund", refunds, err)
	}
	e.invariants(t, 10, o.ID)
}

func TestSuccessAfterExpiryIsRefunded(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.place(t, 1)
	e.clock.Advance(20 * time.Minute)
	if _, err := e.svc.Expire(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.payments.CaptureDespiteCancel(ctx, o.Payment.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ApplyPayment(ctx, event(o, payment.EventSucceeded, 1)); err != nil {
		t.Fatal(err)
	}
	if got := e.status(t, o.ID); got.Status != order.Refunded {
		t.Errorf("status %s, want REFUNDED", got.Status)
	}
	e.invariants(t, 10, o.ID)
}

// A payment whose webhook never arrives is still found: at the hold's end
// the provider says succeeded, and the order is paid, not expired.
func TestSuccessWithoutWebhookIsFoundAtExpiry(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.place(t, 2)
	if _, err := e.payments.Succeed(ctx, o.Payment.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(20 * time.Minute)
	if _, err := e.svc.Sweep(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if got := e.status(t, o.ID); got.Status != order.Paid {
		t.Errorf("status %s, want PAID", got.Status)
	}
	e.invariants(t, 10, o.ID)
}

// A crash between the commit and the outbox send: the event is sent by the
// relay, once.
func TestOutboxSurvivesACrashBeforeSend(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.place(t, 1)
	if _, err := e.payments.Succeed(ctx, o.Payment.ID); err != nil {
		t.Fatal(err)
	}
	cfg := e.cfg
	good := cfg.EventsTopicARN
	cfg.EventsTopicARN = good + "-unreachable"
	crashing := checkout.New(e.db, cfg, e.payments, e.queue, e.events)
	crashing.Now = e.clock.Now
	if err := crashing.ApplyPayment(ctx, event(o, payment.EventSucceeded, 1)); err != nil {
		t.Fatal(err)
	}
	if got := e.orderEvents(t); len(got) != 0 {
		t.Fatalf("events before relay = %v, want none", got)
	}
	for range 2 {
		if _, _, err := e.svc.RelayOutbox(ctx, 100); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.orderEvents(t); len(got) != 1 {
		t.Errorf("events after relaying twice = %v, want one", got)
	}
	e.invariants(t, 10, o.ID)
}

func TestUnknownOrderIsParked(t *testing.T) {
	e := newEnv(t, 10)
	err := e.svc.ApplyPayment(context.Background(), payment.Event{Provider: "sandbox", ID: "evt_x", Type: payment.EventSucceeded, OrderID: "ord_aaaaaaaaaaaaaaaa", IntentID: "pi_x"})
	if !errors.Is(err, checkout.ErrOrderNotFound) {
		t.Errorf("err = %v, want ErrOrderNotFound (retried later)", err)
	}
}

func TestRefunds(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o := e.place(t, 2) // 20.00 CNY
	if _, err := e.svc.Refund(ctx, o.ID, checkout.RefundRequest{}); problem.CodeOf(err) != problem.Conflict {
		t.Errorf("refund of an unpaid order err = %v, want conflict", err)
	}
	if _, err := e.payments.Succeed(ctx, o.Payment.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ApplyPayment(ctx, event(o, payment.EventSucceeded, 1)); err != nil {
		t.Fatal(err)
	}
	part := money.Money{Amount: 600, Currency: "CNY"}
	// Ten racing refunds of 6.00 each: at most three fit in 20.00.
	var wg sync.WaitGroup
	var ok atomic.Int64
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.Refund(ctx, o.ID, checkout.RefundRequest{Amount: &part})
			switch {
			case err == nil:
				ok.Add(1)
			case problem.CodeOf(err) == problem.Unprocessable, errors.Is(err, checkout.ErrBusy):
			default:
				t.Errorf("refund: %v", err)
			}
		}()
	}
	wg.Wait()
	got := e.status(t, o.ID)
	if ok.Load() > 3 || got.Refunded.Amount != 600*ok.Load() || got.Status != order.Paid {
		t.Fatalf("%d refunds succeeded, order refunded %v (%s); want at most 3 and a matching sum", ok.Load(), got.Refunded, got.Status)
	}
	tests := []struct {
		name      string
		req       checkout.RefundRequest
		wantField string
	}{
		{"other currency", checkout.RefundRequest{Amount: &money.Money{Amount: 100, Currency: "USD"}}, "amount.currency"},
		{"more than is left", checkout.RefundRequest{Amount: &money.Money{Amount: 2001, Currency: "CNY"}}, "amount.amount"},
		{"zero", checkout.RefundRequest{Amount: &money.Money{Amount: 0, Currency: "CNY"}}, "amount.amount"},
	}
	for _, tt := range tests {
		if _, err := e.svc.Refund(ctx, o.ID, tt.req); problem.From(err).Field != tt.wantField {
			t.Errorf("%s: err = %v, want field %s", tt.name, err, tt.wantField)
		}
	}
	// The rest, in full: the order becomes REFUNDED.
	if _, err := e.svc.Refund(ctx, o.ID, checkout.RefundRequest{Reason: "changed mind"}); err != nil {
		t.Fatal(err)
	}
	got = e.status(t, o.ID)
	if got.Status != order.Refunded || got.Refunded != got.Total {
		t.Errorf("after the full refund: %s refunded %v", got.Status, got.Refunded)
	}
	if len(got.Refunds) != int(ok.Load())+1 {
		t.Errorf("order shows %d refunds, want %d", len(got.Refunds), ok.Load()+1)
	}
	refunds, _ := e.svc.Refunds(ctx, o.ID)
	sum := int64(0)
	for _, r := range refunds {
		sum += r.Amount.Amount
	}
	if sum != o.Total.Amount {
		t.Errorf("refund records sum to %d, want %d", sum, o.Total.Amount)
	}
}
