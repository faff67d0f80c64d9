package main

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	o := checkouttest.PlaceOrder(t, env, nil)
	if _, err := sandbox.New(awstest.DynamoDB(t), env[resource.Payments.EnvVar]).Succeed(ctx, o.Payment.ID); err != nil {
		t.Fatal(err)
	}
	h, err := payapi.NewApplyPaymentEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SQSEvent
	checkouttest.EventWith(t, "testdata/apply-payment-events.json",
		map[string]string{checkouttest.Placeholder: o.ID, checkouttest.IntentPlaceholder: o.Payment.ID}, &ev)
	for range 2 { // redelivered
		resp, err := h(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("failures %+v, %v", resp.BatchItemFailures, err)
		}
	}
	got, err := checkouttest.Service(t, env, nil).Order(ctx, checkouttest.Subject, o.ID)
	if err != nil || got.Status != order.Paid || got.Version != 2 {
		t.Errorf("order %s v%d %v, want PAID once", got.Status, got.Version, err)
	}
}
