package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	checkouttest.PlaceOrder(t, env, func() time.Time { return time.Now().Add(-time.Hour) })
	h, err := checkoutapi.NewSweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile("testdata/scheduled.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := h(ctx, in)
	if err != nil || res.Found != 1 || res.Expired != 1 {
		t.Fatalf("sweep = %+v, %v; want the one expired order", res, err)
	}
}
