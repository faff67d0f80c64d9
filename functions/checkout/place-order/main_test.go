package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk/riskdb"
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

// A blocked device is refused with a generic 403 naming no rule, and the
// shopper never sees risk control's word on an order it lets through.
func TestRiskControl(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	checkouttest.SeedDemoProduct(t, env)
	store := riskdb.New(awstest.DynamoDB(t), env[resource.Analytics.EnvVar])
	if err := store.PutBlock(ctx, riskdb.Block{Kind: risk.BlockDevice, Value: "dev-stolen-7", Scope: riskdb.Global}); err != nil {
		t.Fatal(err)
	}
	h, err := checkoutapi.NewPlaceOrder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	checkouttest.Event(t, "testdata/place-order.json", "", &req)
	req.Headers["x-device-id"] = "dev-stolen-7"
	resp, err := h(ctx, req)
	if err != nil || resp.StatusCode != 403 || !strings.Contains(resp.Body, `"reason":"risk_declined"`) || strings.Contains(resp.Body, "device") {
		t.Fatalf("%d %s %v: want a 403 risk_declined naming no rule", resp.StatusCode, resp.Body, err)
	}
	if err := api.Check(req, resp); err != nil {
		t.Error(err)
	}
	req.Headers["x-device-id"] = "dev-fine-1"
	req.Headers["idempotency-key"] += "-2"
	resp, err = h(ctx, req)
	if err != nil || resp.StatusCode != 201 || strings.Contains(resp.Body, `"risk"`) {
		t.Fatalf("%d %s %v: want 201 without the risk decision", resp.StatusCode, resp.Body, err)
	}
	req.Headers["x-device-id"] = "dev\x01bad"
	req.Headers["idempotency-key"] += "-3"
	if resp, _ = h(ctx, req); resp.StatusCode != 400 || !strings.Contains(resp.Body, "X-Device-Id") {
		t.Errorf("a malformed device header: %d %s, want 400 naming it", resp.StatusCode, resp.Body)
	}
}
