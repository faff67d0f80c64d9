package checkout_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

func TestPlaceReservesStockSlotAndSchedulesTimeout(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10, 4)
	var emf bytes.Buffer
	e.svc.Metrics = metrics.New(&emf, "checkout")
	o, err := e.svc.Place(ctx, "alice", order.PlaceRequest{
		Lines:      []order.LineRequest{{SKUID: e.skus[0], Quantity: 3}, {SKUID: e.skus[1], Quantity: 2}},
		Fulfilment: shipTo(),
		Booking:    &order.BookingRequest{StoreID: e.store, SlotID: e.slot},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Prices come from the catalog: 3×10.00 + 2×20.00 = 70.00 CNY.
	if o.Total.Amount != 7000 || o.Total.Currency != "CNY" || o.Status != order.PendingPayment || o.Version != 1 {
		t.Errorf("order total %v status %s version %d", o.Total, o.Status, o.Version)
	}
	if o.Payment.ID == "" || o.Payment.ClientSecret == "" || o.Payment.Amount != o.Total || !o.Payment.ExpiresAt.Equal(e.clock.Now().Add(15*time.Minute)) {
		t.Errorf("payment = %+v", o.Payment)
	}
	if o.Booking == nil || o.Booking.ServiceID != "fitting" {
		t.Errorf("booking = %+v", o.Booking)
	}
	if got := e.available(t, e.skus[0]); got != 7 {
		t.Errorf("stock of line 0 = %d, want 7", got)
	}
	if got := e.available(t, e.skus[1]); got != 2 {
		t.Errorf("stock of line 1 = %d, want 2", got)
	}
	if got := e.booked(t, e.slot); got != 1 {
		t.Errorf("slot booked = %d, want 1", got)
	}
	intent, err := e.payments.GetIntent(ctx, o.Payment.ID)
	if err != nil || intent.Status != payment.RequiresPayment || intent.Amount.Amount != 7000 {
		t.Errorf("intent at provider = %+v, %v", intent, err)
	}
	sent := e.queue.Sent()
	if len(sent) != 1 || sent[0].DelaySeconds != 900 {
		t.Fatalf("timeout messages = %d (delay %v), want one delayed 900s", len(sent), sent)
	}
	var m checkout.TimeoutMessage
	if err := json.Unmarshal([]byte(*sent[0].MessageBody), &m); err != nil || m.OrderID != o.ID {
		t.Errorf("timeout message %s: %v", *sent[0].MessageBody, err)
	}
	if !strings.Contains(emf.String(), `"OrdersPlaced":1`) || !strings.Contains(emf.String(), `"Namespace":"jiaoyi"`) {
		t.Errorf("no OrdersPlaced metric in EMF: %q", emf.String())
	}
	got, err := e.svc.Order(ctx, "alice", o.ID)
	if err != nil || got.ID != o.ID || len(got.History) != 1 {
		t.Errorf("read back: %+v, %v", got, err)
	}
	if _, err := e.svc.Order(ctx, "mallory", o.ID); !errors.Is(err, checkout.ErrOrderNotFound) {
		t.Errorf("another customer's read err = %v, want ErrOrderNotFound", err)
	}
}

func TestPlaceRejectsWithoutWriting(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 2, 5)
	tests := []struct {
		name      string
		req       order.PlaceRequest
		wantCode  problem.Code
		wantField string
	}{
		{"short line", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[1], Quantity: 1}, {SKUID: e.skus[0], Quantity: 3}}, Fulfilment: shipTo()}, problem.Conflict, ""},
		{"unknown sku", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: "sku_aaaaaaaaaaaaaaaa", Quantity: 1}}, Fulfilment: shipTo()}, problem.Unprocessable, "lines[0].skuId"},
		{"inactive product", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.inactive, Quantity: 1}}, Fulfilment: shipTo()}, problem.Unprocessable, "lines[0].skuId"},
		{"mixed currencies", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1}, {SKUID: e.usdSKU, Quantity: 1}}, Fulfilment: shipTo()}, problem.Unprocessable, "lines[1].skuId"},
		{"slot in the past", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1}}, Fulfilment: shipTo(), Booking: &order.BookingRequest{StoreID: e.store, SlotID: e.past}}, problem.Unprocessable, "booking.slotId"},
		{"unknown slot", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1}}, Fulfilment: shipTo(), Booking: &order.BookingRequest{StoreID: e.store, SlotID: "slt_aaaaaaaaaaaaaaaa"}}, problem.Unprocessable, "booking.slotId"},
		{"unknown pickup store", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1}}, Fulfilment: order.Fulfilment{Type: order.Pickup, StoreID: "sto_aaaaaaaaaaaaaaaa"}}, problem.Unprocessable, "fulfilment.storeId"},
		{"no lines", order.PlaceRequest{Fulfilment: shipTo()}, problem.Invalid, "lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.Place(ctx, "alice", tt.req, nil)
			p := problem.From(err)
			if p.Code != tt.wantCode || p.Field != tt.wantField {
				t.Fatalf("got %s field %q (%v), want %s field %q", p.Code, p.Field, err, tt.wantCode, tt.wantField)
			}
		})
	}
	// The short-line answer names the line and what is left.
	_, err := e.svc.Place(ctx, "alice", tests[0].req, nil)
	p := problem.From(err)
	short, _ := p.Extensions["shortLines"].([]checkout.ShortLine)
	if len(short) != 1 || short[0].Line != 1 || short[0].Available != 2 || short[0].Requested != 3 {
		t.Errorf("shortLines = %+v, want line 1 with 2 available", p.Extensions)
	}
	if e.available(t, e.skus[0]) != 2 || e.available(t, e.skus[1]) != 5 || e.count(t, "ORDER") != 0 || e.count(t, "RESERVATION") != 0 {
		t.Error("a rejected order wrote something")
	}
}

// 200 shoppers race for a SKU with 50 in stock: exactly 50 orders, stock 0.
func TestConcurrentOrdersNeverOversell(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 50)
	var placed, refused atomic.Int64
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.Place(ctx, fmt.Sprintf("shopper-%d", i), order.PlaceRequest{
				Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1}}, Fulfilment: shipTo(),
			}, nil)
			switch {
			case err == nil:
				placed.Add(1)
			case errors.Is(err, checkout.ErrOutOfStock):
				refused.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	if placed.Load() != 50 || refused.Load() != 150 {
		t.Errorf("placed %d, refused %d; want 50 and 150", placed.Load(), refused.Load())
	}
	if got := e.available(t, e.skus[0]); got != 0 {
		t.Errorf("stock = %d, want 0", got)
	}
	if got := e.count(t, "ORDER"); got != 50 {
		t.Errorf("%d orders stored, want 50", got)
	}
}

// 50 shoppers race for a slot of capacity 5: exactly 5 bookings.
func TestConcurrentBookingsNeverOverbook(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 1000)
	var placed atomic.Int64
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.Place(ctx, fmt.Sprintf("shopper-%d", i), order.PlaceRequest{
				Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1}}, Fulfilment: order.Fulfilment{Type: order.Pickup, StoreID: e.store},
				Booking: &order.BookingRequest{StoreID: e.store, SlotID: e.slot},
			}, nil)
			switch {
			case err == nil:
				placed.Add(1)
			case errors.Is(err, checkout.ErrSlotFull):
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	if placed.Load() != 5 {
		t.Errorf("placed %d bookings, want 5", placed.Load())
	}
	if got := e.booked(t, e.slot); got != 5 {
		t.Errorf("slot booked = %d, want 5", got)
	}
	// Stock taken only by the placed orders.
	if got := e.available(t, e.skus[0]); got != 1000-placed.Load() {
		t.Errorf("stock = %d, want %d", got, 1000-placed.Load())
	}
}

// Cancel, expiry and redelivered timeouts race for one order: stock and slot
// come back exactly once.
func TestCancelRacingExpiryReleasesOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o, err := e.svc.Place(ctx, "alice", order.PlaceRequest{
		Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 4}}, Fulfilment: shipTo(),
		Booking: &order.BookingRequest{StoreID: e.store, SlotID: e.slot},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(16 * time.Minute)
	var wg sync.WaitGroup
	var cancelled, expired atomic.Int64
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			switch i % 3 {
			case 0:
				if _, err = e.svc.Cancel(ctx, "alice", o.ID); err == nil {
					cancelled.Add(1)
				}
			case 1:
				if _, err = e.svc.Expire(ctx, o.ID); err == nil {
					expired.Add(1)
				}
			case 2:
				err = e.svc.HandleTimeout(ctx, checkout.TimeoutMessage{OrderID: o.ID, ExpiresAt: o.Payment.ExpiresAt})
			}
			if err != nil && problem.CodeOf(err) != problem.Conflict {
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	if got := e.available(t, e.skus[0]); got != 10 {
		t.Errorf("stock = %d, want 10 (released exactly once)", got)
	}
	if got := e.booked(t, e.slot); got != 0 {
		t.Errorf("slot booked = %d, want 0", got)
	}
	final, err := e.svc.Order(ctx, "alice", o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if final.Status != order.Cancelled && final.Status != order.Expired || len(final.History) != 2 || final.Version != 2 {
		t.Errorf("final order: status %s, %d history entries, version %d; want one release", final.Status, len(final.History), final.Version)
	}
	if final.Status == order.Cancelled && cancelled.Load() == 0 || final.Status == order.Expired && expired.Load() == 0 {
		t.Errorf("status %s but cancelled %d, expired %d", final.Status, cancelled.Load(), expired.Load())
	}
	intent, err := e.payments.GetIntent(ctx, o.Payment.ID)
	if err != nil || intent.Status != payment.Canceled {
		t.Errorf("intent = %+v, %v; want canceled at the provider", intent, err)
	}
}

func TestTimeoutHandling(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	e.svc.Hold = 40 * time.Minute
	o, err := e.svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1}}, Fulfilment: shipTo()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := checkout.TimeoutMessage{OrderID: o.ID, ExpiresAt: o.Payment.ExpiresAt}

	// 15 minutes in, the first delayed message arrives early: it is chained.
	e.clock.Advance(15 * time.Minute)
	if err := e.svc.HandleTimeout(ctx, m); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(15 * time.Minute)
	if err := e.svc.HandleTimeout(ctx, m); err != nil {
		t.Fatal(err)
	}
	sent := e.queue.Sent()
	delays := []int32{}
	for _, s := range sent {
		delays = append(delays, s.DelaySeconds)
	}
	if len(sent) != 3 || delays[0] != 900 || delays[1] != 900 || delays[2] != 600 {
		t.Errorf("delays = %v, want [900 900 600] (chained past SQS's 15-minute maximum)", delays)
	}
	if got, _ := e.svc.Order(ctx, "alice", o.ID); got.Status != order.PendingPayment {
		t.Errorf("status before expiry = %s", got.Status)
	}

	// At expiry, delivered twice: released once.
	e.clock.Advance(10 * time.Minute)
	for range 2 {
		if err := e.svc.HandleTimeout(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.available(t, e.skus[0]); got != 10 {
		t.Errorf("stock = %d, want 10", got)
	}
	if got, _ := e.svc.Order(ctx, "alice", o.ID); got.Status != order.Expired || got.Version != 2 {
		t.Errorf("after expiry: status %s version %d", got.Status, got.Version)
	}
	// An early Expire is refused.
	o2, err := e.svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1}}, Fulfilment: shipTo()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Expire(ctx, o2.ID); !errors.Is(err, checkout.ErrNotDue) {
		t.Errorf("early expire err = %v, want ErrNotDue", err)
	}
}

func TestSweepExpiresLostTimeouts(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	var ids []string
	for range 3 {
		o, err := e.svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 2}}, Fulfilment: shipTo()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	res, err := e.svc.Sweep(ctx, 100)
	if err != nil || res.Found != 0 {
		t.Fatalf("sweep before expiry = %+v, %v; want nothing found", res, err)
	}
	e.clock.Advance(20 * time.Minute)
	res, err = e.svc.Sweep(ctx, 100)
	if err != nil || res.Found != 3 || res.Expired != 3 || res.Failed != 0 {
		t.Fatalf("sweep = %+v, %v; want 3 expired", res, err)
	}
	if got := e.available(t, e.skus[0]); got != 10 {
		t.Errorf("stock = %d, want 10", got)
	}
	for _, id := range ids {
		if o, err := e.svc.Order(ctx, "alice", id); err != nil || o.Status != order.Expired {
			t.Errorf("order %s after sweep: %s, %v; want EXPIRED", id, o.Status, err)
		}
	}
	if res, _ := e.svc.Sweep(ctx, 100); res.Found != 0 {
		t.Errorf("second sweep found %d, want 0 (released reservations leave the index)", res.Found)
	}
}

func TestPaidIntentIsNotReleased(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o, err := e.svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1}}, Fulfilment: shipTo()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.payments.Succeed(ctx, o.Payment.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(20 * time.Minute)
	if _, err := e.svc.Expire(ctx, o.ID); !errors.Is(err, checkout.ErrPaymentCaptured) {
		t.Errorf("expire of a paid intent err = %v, want ErrPaymentCaptured", err)
	}
	// The provider's state decided: the order is now PAID, and stays so.
	if got, _ := e.svc.Order(ctx, "alice", o.ID); got.Status != order.Paid {
		t.Errorf("status after expiry found the payment = %s, want PAID", got.Status)
	}
	if _, err := e.svc.Cancel(ctx, "alice", o.ID); problem.CodeOf(err) != problem.Conflict {
		t.Errorf("cancel of a paid order err = %v, want conflict", err)
	}
	if got := e.available(t, e.skus[0]); got != 9 {
		t.Errorf("stock = %d, want 9 (kept for the paid order)", got)
	}
	if err := e.svc.HandleTimeout(ctx, checkout.TimeoutMessage{OrderID: o.ID, ExpiresAt: o.Payment.ExpiresAt}); err != nil {
		t.Errorf("timeout for a paid order should be acknowledged, got %v", err)
	}
}

func TestCancelledOrderCannotExpireAndViceVersa(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	o, err := e.svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1}}, Fulfilment: shipTo()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(ctx, "alice", o.ID); err != nil {
		t.Fatal(err)
	}
	again, err := e.svc.Cancel(ctx, "alice", o.ID)
	if err != nil || again.Status != order.Cancelled || again.Version != 2 {
		t.Errorf("second cancel = %s v%d, %v; want the cancelled order unchanged", again.Status, again.Version, err)
	}
	e.clock.Advance(time.Hour)
	if _, err := e.svc.Expire(ctx, o.ID); problem.CodeOf(err) != problem.Conflict {
		t.Errorf("expire after cancel err = %v, want conflict", err)
	}
	if _, err := e.svc.Cancel(ctx, "mallory", o.ID); !errors.Is(err, checkout.ErrOrderNotFound) {
		t.Errorf("cancel of another customer's order err = %v, want not found", err)
	}
	if got := e.available(t, e.skus[0]); got != 10 {
		t.Errorf("stock = %d, want 10", got)
	}
}
