package main

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	// An order placed an hour ago: its hold is over.
	o := checkouttest.PlaceOrder(t, env, func() time.Time { return time.Now().Add(-time.Hour) })
	h, err := checkoutapi.NewPaymentTimeout(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SQSEvent
	checkouttest.Event(t, "testdata/payment-timeout.json", o.ID, &ev)
	for range 2 { // redelivered: released once
		resp, err := h(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("failures %+v, err %v", resp.BatchItemFailures, err)
		}
	}
	got, err := checkouttest.Service(t, env, nil).Order(ctx, checkouttest.Subject, o.ID)
	if err != nil || got.Status != order.Expired || got.Version != 2 {
		t.Errorf("order %s v%d %v, want EXPIRED once", got.Status, got.Version, err)
	}
}
