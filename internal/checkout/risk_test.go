package checkout_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk/riskdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// withRisk turns risk control on over a fresh Analytics table with rules
// as the global rules (nil: the defaults), and returns its store.
func (e *env) withRisk(t *testing.T, rules *risk.Rules) (*riskdb.Store, string) {
	t.Helper()
	table := awstest.Tables(t, resource.Analytics)[resource.Analytics.EnvVar]
	a, err := riskdb.NewAssessor(e.db, table, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Risk = a
	if rules != nil {
		if err := a.Store.PutRules(context.Background(), riskdb.Global, *rules); err != nil {
			t.Fatal(err)
		}
	}
	return a.Store, table
}

// items counts a table's items.
func (e *env) items(t *testing.T, table string) int {
	t.Helper()
	out, err := e.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table), Select: "COUNT"})
	if err != nil {
		t.Fatal(err)
	}
	return int(out.Count)
}

// Each blocking rule refuses the order with the same generic answer, and
// a refused order leaves every table as it was: no order, reservation,
// hold, intent or counter.
func TestBlockedOrdersLeaveNothingBehind(t *testing.T) {
	ctx := context.Background()
	shipAddr := shipTo().Address
	tests := []struct {
		name   string
		rules  risk.Rules
		blocks []riskdb.Block
		before func(t *testing.T, e *env) // what happened before the blocked order
		client order.Client
		qty    int64
	}{
		{name: "blocked shopper", blocks: []riskdb.Block{{Kind: risk.BlockShopper, Value: "alice", Scope: riskdb.Global}}},
		{name: "blocked address", blocks: []riskdb.Block{{Kind: risk.BlockAddress, Scope: riskdb.Global,
			Value: risk.AddressKey(" 南京西路 1266号", shipAddr.Line2, shipAddr.City, shipAddr.PostalCode, shipAddr.Country)}}},
		{name: "blocked device", client: order.Client{DeviceID: "dev-42"}, blocks: []riskdb.Block{{Kind: risk.BlockDevice, Value: "dev-42", Scope: riskdb.Global}}},
		{name: "blocked device of the merchant's list", client: order.Client{DeviceID: "dev-42"}, blocks: []riskdb.Block{{Kind: risk.BlockDevice, Value: "dev-42", Scope: riskdb.MerchantScope("")}}},
		{name: "amount ceiling", rules: risk.Rules{MaxAmount: map[string]int64{"CNY": 3000}}, qty: 3},
		{name: "order velocity", rules: risk.Rules{MaxOrders: map[string]int{"1h": 2}}, before: func(t *testing.T, e *env) {
			e.place(t, 1)
			e.place(t, 1)
		}},
		{name: "failed-payment velocity", rules: risk.Rules{MaxFailures: map[string]int{"10m": 2}}, before: func(t *testing.T, e *env) {
			o := e.place(t, 1)
			for n := range 2 {
				decline := event(o, payment.EventFailed, n)
				decline.Retryable = true
				if err := e.svc.ApplyPayment(context.Background(), decline); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, 10)
			store, table := e.withRisk(t, &tt.rules)
			for _, b := range tt.blocks {
				if err := store.PutBlock(ctx, b); err != nil {
					t.Fatal(err)
				}
			}
			if tt.before != nil {
				tt.before(t, e)
			}
			stock, orders, analytics, payments := e.available(t, e.skus[0]), e.items(t, e.cfg.OrdersTable), e.items(t, table), e.items(t, e.cfg.PaymentsTable)
			qty := max(tt.qty, 1)
			_, err := e.svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: qty}},
				Fulfilment: shipTo(), Booking: &order.BookingRequest{StoreID: e.store, SlotID: e.slot}, Client: tt.client}, nil)
			p := problem.From(err)
			if !errors.Is(err, checkout.ErrDeclined) || p.Code != problem.Forbidden || p.Extensions["reason"] != risk.Reason {
				t.Fatalf("got %v (%+v), want 403 risk_declined", err, p)
			}
			if strings.Contains(p.Message, "block") || strings.Contains(p.Message, "velocity") || strings.Contains(p.Message, "amount") {
				t.Errorf("the answer %q hints at the rule", p.Message)
			}
			if e.available(t, e.skus[0]) != stock || e.items(t, e.cfg.OrdersTable) != orders || e.items(t, table) != analytics ||
				e.items(t, e.cfg.PaymentsTable) != payments {
				t.Errorf("a blocked order changed the tables")
			}
		})
	}
}

// An order flagged for review is placed and paid as any other, then held
// in PENDING_REVIEW with its stock taken and the decision recorded; ops
// see it in the queue and approve it to PAID.
func TestReviewHoldsPaidOrderUntilApproved(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	e.withRisk(t, &risk.Rules{ReviewAmount: map[string]int64{"CNY": 1500}})
	o := e.place(t, 2) // 20.00
	if o.Risk == nil || o.Risk.Decision != order.RiskReview || o.Risk.ModelVersion != risk.DemoVersion || o.Risk.Rules[0] != "amount.review" {
		t.Fatalf("risk recorded %+v, want review by amount.review under %s", o.Risk, risk.DemoVersion)
	}
	small := e.place(t, 1) // 10.00: allowed
	if small.Risk == nil || small.Risk.Decision != order.RiskAllow {
		t.Fatalf("small order risk %+v, want allow recorded", small.Risk)
	}
	if _, err := e.svc.Approve(ctx, o.ID, checkout.ReviewDecision{By: "op"}); !errors.Is(err, checkout.ErrNotInReview) {
		t.Errorf("approve before payment: %v, want ErrNotInReview", err)
	}
	e.pay(t, o, 1)
	e.pay(t, small, 2)
	got := e.status(t, o.ID)
	if got.Status != order.PendingReview || e.available(t, e.skus[0]) != 7 {
		t.Fatalf("paid flagged order %s, stock %d; want PENDING_REVIEW with stock taken (7)", got.Status, e.available(t, e.skus[0]))
	}
	if s := e.status(t, small.ID).Status; s != order.Paid {
		t.Errorf("allowed order %s, want PAID", s)
	}
	page, err := e.svc.Reviews(ctx, "", 10)
	if err != nil || len(page.Reviews) != 1 || page.Reviews[0].ID != o.ID || page.Reviews[0].Risk.Score <= 0 {
		t.Fatalf("review queue %+v %v, want just the flagged order", page, err)
	}
	approved, err := e.svc.Approve(ctx, o.ID, checkout.ReviewDecision{By: "op-1", Note: "known customer"})
	if err != nil || approved.Status != order.Paid || approved.Risk.Outcome != order.ReviewApproved || approved.Risk.ReviewedBy != "op-1" {
		t.Fatalf("approve: %s %+v %v", approved.Status, approved.Risk, err)
	}
	again, err := e.svc.Approve(ctx, o.ID, checkout.ReviewDecision{By: "op-2"})
	if err != nil || again.Version != approved.Version {
		t.Errorf("approving again: version %d %v, want unchanged", again.Version, err)
	}
	if _, err := e.svc.Reject(ctx, o.ID, checkout.ReviewDecision{By: "op-2"}); !errors.Is(err, checkout.ErrNotInReview) {
		t.Errorf("reject after approval: %v, want ErrNotInReview", err)
	}
	if page, _ := e.svc.Reviews(ctx, "", 10); len(page.Reviews) != 0 {
		t.Errorf("queue after approval %+v, want empty", page.Reviews)
	}
}

// Ten operators reject the same order at once: it is cancelled, its stock
// given back and its payment refunded exactly once.
func TestRejectIsExactlyOnceUnderDuplicates(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	e.withRisk(t, &risk.Rules{ReviewAmount: map[string]int64{"CNY": 1}})
	o := e.place(t, 2)
	e.pay(t, o, 1)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.Reject(ctx, o.ID, checkout.ReviewDecision{By: "op"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("reject: %v", err)
		}
	}
	got := e.status(t, o.ID)
	if got.Status != order.Refunded || len(got.Refunds) != 1 || got.Refunded != got.Total || got.Refunds[0].Origin != order.RefundRiskRejected {
		t.Errorf("after 10 rejects: %s, refunds %+v, refunded %v; want REFUNDED once in full", got.Status, got.Refunds, got.Refunded)
	}
	if s, b := e.available(t, e.skus[0]), e.booked(t, e.slot); s != 10 || b != 0 {
		t.Errorf("stock %d, slot %d booked; want 10 and 0 (given back once)", s, b)
	}
	if got.Risk.Outcome != order.ReviewRejected {
		t.Errorf("risk %+v, want rejected", got.Risk)
	}
	e.moneyInvariants(t, o.ID)
}

// Approve, reject and duplicate payment webhooks race on a flagged order:
// one outcome, consistent money and stock.
func TestReviewRacesHaveOneOutcome(t *testing.T) {
	ctx := context.Background()
	for round := range 3 {
		e := newEnv(t, 10)
		e.withRisk(t, &risk.Rules{ReviewAmount: map[string]int64{"CNY": 1}})
		o := e.place(t, 2)
		if _, err := e.payments.Succeed(ctx, o.Payment.ID); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 9 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				switch i % 3 {
				case 0:
					err = e.svc.ApplyPayment(ctx, event(o, payment.EventSucceeded, i))
				case 1:
					err = untilPaid(func() error { _, err := e.svc.Approve(ctx, o.ID, checkout.ReviewDecision{By: "op-a"}); return err })
				case 2:
					err = untilPaid(func() error { _, err := e.svc.Reject(ctx, o.ID, checkout.ReviewDecision{By: "op-r"}); return err })
				}
				if err != nil && !errors.Is(err, checkout.ErrNotInReview) {
					t.Errorf("round %d: %v", round, err)
				}
			}()
		}
		wg.Wait()
		got := e.status(t, o.ID)
		switch got.Status {
		case order.Paid:
			if got.Risk.Outcome != order.ReviewApproved || len(got.Refunds) != 0 || e.available(t, e.skus[0]) != 8 {
				t.Errorf("round %d: approved with %+v refunds %+v stock %d", round, got.Risk, got.Refunds, e.available(t, e.skus[0]))
			}
		case order.Refunded:
			if got.Risk.Outcome != order.ReviewRejected || len(got.Refunds) != 1 || e.available(t, e.skus[0]) != 10 {
				t.Errorf("round %d: rejected with %+v refunds %+v stock %d", round, got.Risk, got.Refunds, e.available(t, e.skus[0]))
			}
		default:
			t.Errorf("round %d: status %s", round, got.Status)
		}
		paid := 0
		for _, h := range got.History {
			if h.Status == order.PendingReview {
				paid++
			}
		}
		if paid != 1 {
			t.Errorf("round %d: entered review %d times, want once: %+v", round, paid, got.History)
		}
		e.moneyInvariants(t, o.ID)
	}
}

// untilPaid retries a review while the order is not yet paid (as an
// operator would find it in the queue only once it is).
func untilPaid(review func() error) error {
	for range 500 {
		err := review()
		if p := problem.From(err); err == nil || !errors.Is(err, checkout.ErrNotInReview) || p.Extensions["status"] != order.PendingPayment {
			return err
		}
		time.Sleep(time.Millisecond)
	}
	return errors.New("the order was never paid")
}

// 100 orders of one shopper at once: each placement counts itself in the
// same transaction, so the counters hold exactly 100.
func TestPlacementCountersAreExact(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 1000)
	store, _ := e.withRisk(t, &risk.Rules{Thresholds: &risk.Thresholds{Review: 0.999999, Block: 1}})
	const n = 100
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1}}, Fulfilment: shipTo()}, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	snap, err := store.Load(ctx, risk.Input{CustomerID: "alice", Currency: "CNY", At: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	h := snap.History
	if h.PriorOrders != n || h.PriorAmount != n*1000 || h.Orders[risk.Win24h] < n || h.Addresses != 1 {
		t.Errorf("after %d orders: %+v", n, h)
	}
	if e.available(t, e.skus[0]) != 1000-n || e.count(t, orderdb.SKOrder) != n {
		t.Errorf("stock %d, orders %d", e.available(t, e.skus[0]), e.count(t, orderdb.SKOrder))
	}
}
