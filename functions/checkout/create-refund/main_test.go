package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	o := checkouttest.PlaceOrder(t, env, nil)
	checkouttest.Pay(t, env, o)
	resp := checkouttest.APIEvent(t, checkoutapi.NewCreateRefund, "testdata/create-refund.json", o.ID, 201)
	if !strings.Contains(resp.Body, `"amount":100`) {
		t.Errorf("refund %s, want 1.00", resp.Body)
	}
	// The same Idempotency-Key again: the same refund, not a second one.
	h, err := checkoutapi.NewCreateRefund(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	checkouttest.Event(t, "testdata/create-refund.json", o.ID, &req)
	if again, _ := h(context.Background(), req); again.Body != resp.Body {
		t.Errorf("replayed refund differs: %s", again.Body)
	}
}
