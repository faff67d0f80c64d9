package main

import (
	"context"
	"os"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	awstest.FunctionEnv(t)
	h, err := checkoutapi.NewCompleteOrders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile("testdata/scheduled.json")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := h(ctx, in); err != nil || n != 0 {
		t.Errorf("on empty tables = %d, %v; want 0, nil", n, err)
	}
}
