package main

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/signature"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	awstest.FunctionEnv(t)
	t.Setenv("JIAOYI_WEBHOOK_SECRETS_SANDBOX", "whsec_new,whsec_old")
	h, err := payapi.NewReceiveWebhook(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	checkouttest.Event(t, "testdata/receive-webhook.json", "ord_bbbbbbbbbbbbbbbb", &req)
	// The recorded signature is stale by now: sign the recorded body afresh,
	// with the old secret, which is still active during rotation.
	req.Headers["sandbox-signature"] = signature.Sign([]byte(req.Body), time.Now(), "whsec_old")
	resp, err := h(ctx, req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s %v", resp.StatusCode, resp.Body, err)
	}
	if err := api.Check(req, resp); err != nil {
		t.Error(err)
	}
}
