package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	o := checkouttest.PlaceOrder(t, env, nil)
	checkouttest.Pay(t, env, o)
	h, err := checkoutapi.NewCreateRefund(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	checkouttest.Event(t, "testdata/create-refund.json", o.ID, &req)
	resp, err := h(ctx, req)
	if err != nil || resp.StatusCode != 201 || !strings.Contains(resp.Body, `"amount":100`) {
		t.Fatalf("%d %s %v", resp.StatusCode, resp.Body, err)
	}
	if err := api.Check(req, resp); err != nil {
		t.Error(err)
	}
	// The same Idempotency-Key again: the same refund, not a second one.
	again, _ := h(ctx, req)
	if again.Body != resp.Body {
		t.Errorf("replayed refund differs: %s", again.Body)
	}
}
