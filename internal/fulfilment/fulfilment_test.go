package fulfilment_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilment"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func service(t *testing.T, env map[string]string) *fulfilment.Service {
	t.Helper()
	return fulfilment.New(awstest.DynamoDB(t), env[resource.Orders.EnvVar], sns.NewFromConfig(awstest.Config(t)), env[resource.Events.EnvVar])
}

// A carrier storm: every event twice, in reverse order, concurrently. The
// order ends DELIVERED, each scan recorded once, and stale news changes nothing.
func TestShippingAndACarrierStorm(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	o := checkouttest.PlaceOrder(t, env, nil)
	checkouttest.Pay(t, env, o)
	f := service(t, env)
	line := o.Lines[0]

	if _, err := f.Ship(ctx, o.ID, fulfilment.ShipmentRequest{Carrier: "sf-express", TrackingNumber: "SF100", Lines: []order.ShippedLine{{SKUID: line.SKUID, Quantity: line.Quantity + 1}}, Key: "k0"}); problem.CodeOf(err) != problem.Unprocessable {
		t.Errorf("shipping more than bought: %v, want 422", err)
	}
	sh, err := f.Ship(ctx, o.ID, fulfilment.ShipmentRequest{Carrier: "sf-express", TrackingNumber: "SF100", Lines: []order.ShippedLine{{SKUID: line.SKUID, Quantity: line.Quantity}}, Key: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.Ship(ctx, o.ID, fulfilment.ShipmentRequest{Carrier: "sf-express", TrackingNumber: "SF100", Lines: []order.ShippedLine{{SKUID: line.SKUID, Quantity: line.Quantity}}, Key: "k1"})
	if err != nil || again.ID != sh.ID {
		t.Fatalf("retry: %+v, %v; want the same shipment", again, err)
	}
	got, _ := f.Orders().Get(ctx, o.ID)
	if got.Status != order.Shipped || len(got.Shipments) != 1 {
		t.Fatalf("after shipping everything: %s with %d shipments", got.Status, len(got.Shipments))
	}
	at := time.Now().UTC().Truncate(time.Second)
	evs := []fulfilment.CarrierEvent{
		{ID: "e1", TrackingNumber: "SF100", Status: order.InTransit, At: at, Place: "杭州转运中心"},
		{ID: "e2", TrackingNumber: "SF100", Status: order.OutForDelivery, At: at.Add(time.Hour), Place: "上海静安"},
		{ID: "e3", TrackingNumber: "SF100", Status: order.ShipDelivered, At: at.Add(2 * time.Hour), Place: "上海静安"},
	}
	var wg sync.WaitGroup
	for i := len(evs) - 1; i >= 0; i-- {
		for range 2 {
			wg.Add(1)
			go func(e fulfilment.CarrierEvent) {
				defer wg.Done()
				if _, err := f.Track(ctx, "sf-express", e); err != nil {
					t.Errorf("track %s: %v", e.ID, err)
				}
			}(evs[i])
		}
	}
	wg.Wait()
	got, _ = f.Orders().Get(ctx, o.ID)
	if got.Status != order.Delivered || got.Shipments[0].Status != order.ShipDelivered {
		t.Fatalf("after the storm: order %s, parcel %s; want DELIVERED", got.Status, got.Shipments[0].Status)
	}
	seen := map[string]int{}
	for _, e := range got.Shipments[0].Events {
		seen[e.ID]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("scan %s recorded %d times", id, n)
		}
	}
	if changed, err := f.Track(ctx, "sf-express", fulfilment.CarrierEvent{ID: "e9", TrackingNumber: "SF100", Status: order.InTransit, At: at.Add(3 * time.Hour)}); err != nil || changed {
		t.Errorf("stale scan after delivery changed %v, %v", changed, err)
	}
	if _, err := f.Track(ctx, "sf-express", fulfilment.CarrierEvent{ID: "x", TrackingNumber: "NOPE", Status: order.InTransit, At: at}); !errors.Is(err, fulfilment.ErrUnknownTracking) {
		t.Errorf("unknown parcel: %v", err)
	}
	if tl := got.BuildTimeline(); len(tl) < len(got.History)+1 {
		t.Errorf("timeline %+v lacks tracking", tl)
	}
}

func TestPickupCodeRedeemsOnceOnlyAtItsStore(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	o := checkouttest.PickupOrder(t, env)
	checkouttest.Pay(t, env, o)
	f := service(t, env)
	p, err := f.Ready(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Code) != fulfilment.CodeLength || p.StoreID != o.Fulfilment.StoreID {
		t.Fatalf("pickup %+v", p)
	}
	if p2, _ := f.Ready(ctx, o.ID); p2.Code != p.Code {
		t.Errorf("ready again issued %s, want the same code", p2.Code)
	}
	if _, err := f.Redeem(ctx, demo.Stores()[2].ID, p.Code, "staff"); !errors.Is(err, fulfilment.ErrWrongCode) {
		t.Errorf("at another store: %v, want a wrong code", err)
	}
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.Redeem(ctx, p.StoreID, p.Code, "staff")
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, order.ErrAlreadyPicked):
			default:
				t.Errorf("redeem: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Errorf("%d redemptions succeeded, want exactly one", ok.Load())
	}
	got, _ := f.Orders().Get(ctx, o.ID)
	if got.Status != order.PickedUp || got.Pickup.RedeemedAt == nil {
		t.Errorf("order %s, pickup %+v", got.Status, got.Pickup)
	}
}

func TestGuessingCodesIsRateLimited(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	f := service(t, env)
	f.RedeemLimit = 3
	store := demo.Stores()[0].ID
	for i := range 3 {
		if _, err := f.Redeem(ctx, store, fmt.Sprintf("GUESS%03d", i), "mallory"); !errors.Is(err, fulfilment.ErrWrongCode) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, err := f.Redeem(ctx, store, "GUESS999", "mallory"); !errors.Is(err, fulfilment.ErrTooManyGuesses) {
		t.Errorf("after the limit: %v, want 429", err)
	}
}
