package main

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	checkouttest.SeedDemoProduct(t, env)
	h, err := checkoutapi.NewPlaceOrder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	checkouttest.Event(t, "testdata/place-order.json", "", &req)
	resp, err := h(ctx, req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("%d %s %v", resp.StatusCode, resp.Body, err)
	}
	if err := api.Check(req, resp); err != nil {
		t.Error(err)
	}
	// The recorded event again: its Idempotency-Key replays the same order.
	again, _ := h(ctx, req)
	if again.StatusCode != 201 || again.Body != resp.Body {
		t.Errorf("replay: %d, same body %v", again.StatusCode, again.Body == resp.Body)
	}
}
