package main

import (
	"context"
	"os"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	o := checkouttest.PlaceOrder(t, env, nil)
	checkouttest.Pay(t, env, o) // sends OrderPaid at once
	h, err := payapi.NewRelayOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile("testdata/scheduled.json")
	if err != nil {
		t.Fatal(err)
	}
	n, err := h(ctx, in)
	if err != nil || n != 0 {
		t.Errorf("relay sent %d, %v; want 0 (already sent right after the commit)", n, err)
	}
}
