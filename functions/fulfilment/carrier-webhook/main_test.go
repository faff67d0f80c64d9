package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilment"
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilmentapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/signature"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	t.Setenv("JIAOYI_WEBHOOK_SECRETS_CARRIERS", "sf-express:whsec_sf_old,sf-express:whsec_sf_new")
	o := checkouttest.PlaceOrder(t, env, nil)
	checkouttest.Pay(t, env, o)
	f := fulfilment.New(awstest.DynamoDB(t), env[resource.Orders.EnvVar], sns.NewFromConfig(awstest.Config(t)), env[resource.Events.EnvVar])
	if _, err := f.Ship(ctx, o.ID, fulfilment.ShipmentRequest{Carrier: "sf-express", TrackingNumber: "SF1400123456",
		Lines: []order.ShippedLine{{SKUID: o.Lines[0].SKUID, Quantity: o.Lines[0].Quantity}}, Key: "k"}); err != nil {
		t.Fatal(err)
	}
	h, err := fulfilmentapi.NewCarrierWebhook(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	checkouttest.Event(t, "testdata/carrier-webhook.json", o.ID, &req)
	req.Headers["carrier-signature"] = signature.Sign([]byte(req.Body), time.Now(), "whsec_sf_new")
	for range 2 { // a retried delivery applies once
		resp, _ := h(ctx, req)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
	}
	got, _ := f.Orders().Get(ctx, o.ID)
	if got.Shipments[0].Status != order.InTransit || len(got.Shipments[0].Events) != 1 {
		t.Errorf("parcel %+v", got.Shipments[0])
	}
	req.Headers["carrier-signature"] = signature.Sign([]byte(req.Body), time.Now(), "whsec_attacker")
	if resp, _ := h(ctx, req); resp.StatusCode != 401 || !strings.Contains(resp.Headers["Content-Type"], "problem") {
		t.Errorf("forged: %d %v, want 401 problem+json", resp.StatusCode, resp.Headers)
	}
}
