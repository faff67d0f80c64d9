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
	h, err := checkoutapi.NewListOrders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	checkouttest.Event(t, "testdata/list-orders.json", "", &req)
	resp, err := h(ctx, req)
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Body, o.ID) {
		t.Fatalf("%d %s %v", resp.StatusCode, resp.Body, err)
	}
	if err := api.Check(req, resp); err != nil {
		t.Error(err)
	}
}
