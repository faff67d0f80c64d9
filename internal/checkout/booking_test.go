package checkout_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilment"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func fulfilmentAt(t *testing.T, env provision.Env, at time.Time) *fulfilment.Service {
	f := fulfilment.New(awstest.DynamoDB(t), env[resource.Orders.EnvVar], sns.NewFromConfig(awstest.Config(t)), env[resource.Events.EnvVar])
	f.Now = func() time.Time { return at }
	return f
}

// Paying a booked order issues its check-in code; staff check it in once,
// and only within its slot's window, even when they race.
func TestBookingCheckInOnce(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	o := checkouttest.BookedOrder(t, env)
	if o.Booking.CheckIn == nil || len(o.Booking.CheckIn.Code) != order.CodeLength {
		t.Fatalf("paid booking without a check-in code: %+v", o.Booking)
	}
	code, store := o.Booking.CheckIn.Code, o.Booking.StoreID
	if _, err := fulfilmentAt(t, env, o.Booking.Start.Add(-3*time.Hour)).CheckIn(ctx, store, code, "staff"); !errors.Is(err, fulfilment.ErrTooEarly) {
		t.Errorf("three hours early: %v", err)
	}
	f := fulfilmentAt(t, env, o.Booking.Start.Add(-10*time.Minute))
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, already := 0, 0
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.CheckIn(ctx, store, code, "staff")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, order.ErrAlreadyCheckedIn):
				already++
			default:
				t.Errorf("check-in: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || already != 4 {
		t.Errorf("%d check-ins succeeded, %d refused as repeats; want 1 and 4", ok, already)
	}
	// A checked-in booking is no no-show.
	late := checkouttest.Service(t, env, func() time.Time { return o.Booking.End.Add(time.Minute) })
	if n, err := late.MarkNoShows(ctx, 10); err != nil || n != 0 {
		t.Errorf("no-shows after a check-in: %d, %v", n, err)
	}
}

// A booking whose slot ends without a check-in is a no-show, once; the
// store's policy refunds part of it, once.
func TestNoShowRefundsTheStoresPart(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	o := checkouttest.BookedOrder(t, env)
	st := demo.Stores()[0]
	st.NoShowRefundBasisPoints = 5000
	if err := catalog.NewRepository(awstest.DynamoDB(t), env[resource.Catalog.EnvVar]).Write(ctx, catalog.Batch{Stores: []catalog.Store{st}}); err != nil {
		t.Fatal(err)
	}
	early := checkouttest.Service(t, env, func() time.Time { return o.Booking.End.Add(-time.Minute) })
	if n, err := early.MarkNoShows(ctx, 10); err != nil || n != 0 {
		t.Fatalf("before the slot ends: %d, %v", n, err)
	}
	late := checkouttest.Service(t, env, func() time.Time { return o.Booking.End.Add(time.Minute) })
	for range 2 {
		if _, err := late.MarkNoShows(ctx, 10); err != nil {
			t.Fatal(err)
		}
	}
	got, err := late.Lookup(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Booking.CheckIn.NoShowAt == nil {
		t.Error("not marked a no-show")
	}
	if want := (o.Total.Amount + 1) / 2; got.Refunded.Amount != want && got.Refunded.Amount != o.Total.Amount/2 {
		t.Errorf("refunded %v of %v, want half once", got.Refunded, o.Total)
	}
	if _, err := fulfilmentAt(t, env, o.Booking.End.Add(time.Hour)).CheckIn(ctx, o.Booking.StoreID, o.Booking.CheckIn.Code, "staff"); !errors.Is(err, order.ErrNoShow) {
		t.Errorf("checking in a no-show: %v", err)
	}
}
