package checkout_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilment"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func pickedUp(t *testing.T, env provision.Env) order.Order { return checkouttest.PickedUpOrder(t, env) }

func returnOf(o order.Order, key string) checkout.ReturnRequest {
	r := checkout.ReturnRequest{Reason: "wrong size", Key: key}
	r.Lines = append(r.Lines, struct {
		SKUID    string `json:"skuId"`
		Quantity int64  `json:"quantity"`
	}{o.Lines[0].SKUID, 1})
	return r
}

func storeStock(t *testing.T, env provision.Env, sku, store string) int64 {
	t.Helper()
	found, err := catalog.NewRepository(awstest.DynamoDB(t), env[resource.Catalog.EnvVar]).SKUs(context.Background(), []string{sku})
	if err != nil {
		t.Fatal(err)
	}
	return found[sku].StockAt(store)
}

// A return asked for, approved twice and received twice refunds its value
// once and restocks the store once.
func TestReturnApprovedRefundsOnceAndRestocksOnce(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	o := pickedUp(t, env)
	svc := checkouttest.Service(t, env, nil)
	r, err := svc.RequestReturn(ctx, checkouttest.Subject, o.ID, returnOf(o, "ret-1"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.RequestReturn(ctx, checkouttest.Subject, o.ID, returnOf(o, "ret-1"))
	if err != nil || again.ID != r.ID {
		t.Fatalf("same key: %+v %v", again, err)
	}
	if _, err := svc.DecideReturn(ctx, r.ID, "mch_aaaaaaaaaaaaaaaa", true, ""); !errors.Is(err, order.ErrReturnNotFound) {
		t.Fatalf("another merchant approving: %v", err)
	}
	for range 2 {
		if _, err := svc.DecideReturn(ctx, r.ID, demo.TeaHouse, true, "ok"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.DecideReturn(ctx, r.ID, demo.TeaHouse, false, "changed my mind"); !errors.Is(err, order.ErrReturnState) {
		t.Errorf("rejecting an approved return: %v", err)
	}
	got, err := svc.Lookup(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Refunded.Amount != o.Lines[0].UnitPrice.Amount || got.Status != order.Refunded {
		t.Errorf("after approval: %s refunded %v, want the unit price %v once", got.Status, got.Refunded, o.Lines[0].UnitPrice)
	}
	before := storeStock(t, env, o.Lines[0].SKUID, o.Fulfilment.StoreID)
	for range 2 {
		if _, err := svc.ReceiveReturn(ctx, r.ID, demo.TeaHouse, true); err != nil {
			t.Fatal(err)
		}
	}
	if after := storeStock(t, env, o.Lines[0].SKUID, o.Fulfilment.StoreID); after != before+1 {
		t.Errorf("store stock %d after receiving, want %d", after, before+1)
	}
}

// Racing return requests never return more units than were bought.
func TestRacingReturnsNeverExceedTheLine(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	o := pickedUp(t, env)
	svc := checkouttest.Service(t, env, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, tooMany := 0, 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.RequestReturn(ctx, checkouttest.Subject, o.ID, returnOf(o, fmt.Sprintf("race-%d", i)))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, order.ErrReturnTooMany):
				tooMany++
			default:
				t.Errorf("return %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if ok != int(o.Lines[0].Quantity) || ok+tooMany != 8 {
		t.Errorf("%d returns accepted, %d refused; the line has %d units", ok, tooMany, o.Lines[0].Quantity)
	}
}

func TestReturnRules(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	o := pickedUp(t, env)
	late := checkouttest.Service(t, env, func() time.Time { return time.Now().Add(8 * 24 * time.Hour) })
	if _, err := late.RequestReturn(ctx, checkouttest.Subject, o.ID, returnOf(o, "late")); !errors.Is(err, order.ErrReturnWindow) {
		t.Errorf("after the window: %v", err)
	}
	svc := checkouttest.Service(t, env, nil)
	if _, err := svc.RequestReturn(ctx, "someone-else", o.ID, returnOf(o, "x")); !errors.Is(err, checkout.ErrOrderNotFound) {
		t.Errorf("another shopper's order: %v", err)
	}
	// Rejected units may be asked for again.
	r, err := svc.RequestReturn(ctx, checkouttest.Subject, o.ID, returnOf(o, "first"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DecideReturn(ctx, r.ID, demo.TeaHouse, false, "used"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ReceiveReturn(ctx, r.ID, demo.TeaHouse, true); !errors.Is(err, order.ErrReturnState) {
		t.Errorf("receiving a rejected return: %v", err)
	}
	if _, err := svc.RequestReturn(ctx, checkouttest.Subject, o.ID, returnOf(o, "second")); err != nil {
		t.Errorf("asking again after a rejection: %v", err)
	}
	// An order not handed over cannot be returned.
	paid := checkouttest.PlaceOrder(t, env, nil)
	checkouttest.Pay(t, env, paid)
	if _, err := svc.RequestReturn(ctx, checkouttest.Subject, paid.ID, returnOf(paid, "early")); !errors.Is(err, order.ErrNotReturnable) {
		t.Errorf("a paid, undelivered order: %v", err)
	}
}

// A ready pickup order left past its collect-by time is cancelled once:
// its code stops working, its goods are back at the store, and it is
// refunded in full.
func TestUncollectedPickupCancelledOnce(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	o := checkouttest.PickupOrder(t, env)
	checkouttest.Pay(t, env, o)
	f := fulfilment.New(awstest.DynamoDB(t), env[resource.Orders.EnvVar], sns.NewFromConfig(awstest.Config(t)), env[resource.Events.EnvVar])
	code, err := f.Ready(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	before := storeStock(t, env, o.Lines[0].SKUID, o.Fulfilment.StoreID)
	early := checkouttest.Service(t, env, nil)
	if n, err := early.CancelUncollected(ctx, 10); err != nil || n != 0 {
		t.Fatalf("before the collect-by time: %d, %v", n, err)
	}
	late := checkouttest.Service(t, env, func() time.Time { return time.Now().Add(8 * 24 * time.Hour) })
	for range 2 {
		if _, err := late.CancelUncollected(ctx, 10); err != nil {
			t.Fatal(err)
		}
	}
	got, err := late.Lookup(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != order.Refunded || got.Refunded.Amount != o.Total.Amount {
		t.Errorf("after cancellation: %s refunded %v", got.Status, got.Refunded)
	}
	if after := storeStock(t, env, o.Lines[0].SKUID, o.Fulfilment.StoreID); after != before+o.Lines[0].Quantity {
		t.Errorf("store stock %d, want %d", after, before+o.Lines[0].Quantity)
	}
	if _, err := f.Redeem(ctx, o.Fulfilment.StoreID, code.Code, "staff"); err == nil {
		t.Error("the code of a cancelled order still hands it over")
	}
}

// The return window closes once per order: a picked-up order becomes
// COMPLETED, one refunded in part stays PARTIALLY_REFUNDED; before the
// window ends nothing changes, and a second run finds nothing.
func TestCompleteOrdersClosesReturnWindowsOnce(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	kept := pickedUp(t, env)
	part := pickedUp(t, env)
	svc := checkouttest.Service(t, env, nil)
	one := money.Money{Amount: 1, Currency: part.Total.Currency}
	if _, err := svc.Refund(ctx, part.ID, checkout.RefundRequest{Amount: &one, Reason: "goodwill", Key: "gw-1"}); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.CompleteOrders(ctx, 10); err != nil || n != 0 {
		t.Fatalf("inside the window: closed %d, %v", n, err)
	}
	late := checkouttest.Service(t, env, func() time.Time { return time.Now().Add(checkout.DefaultReturnWindow + time.Hour) })
	if n, err := late.CompleteOrders(ctx, 10); err != nil || n != 1 {
		t.Fatalf("after the window: closed %d, %v; want 1", n, err)
	}
	if n, err := late.CompleteOrders(ctx, 10); err != nil || n != 0 {
		t.Fatalf("second run: closed %d, %v; want 0", n, err)
	}
	for _, tt := range []struct {
		id   string
		want order.Status
	}{{kept.ID, order.Completed}, {part.ID, order.PartiallyRefunded}} {
		got, err := late.Lookup(ctx, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tt.want {
			t.Errorf("order %s: %s, want %s", tt.id, got.Status, tt.want)
		}
	}
	if _, err := late.RequestReturn(ctx, checkouttest.Subject, kept.ID, returnOf(kept, "late")); !errors.Is(err, order.ErrNotReturnable) && !errors.Is(err, order.ErrReturnWindow) {
		t.Errorf("a return after the window: %v", err)
	}
}
