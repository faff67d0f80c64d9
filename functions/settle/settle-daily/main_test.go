package main

import (
	"context"
	"os"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	checkouttest.SeedDemoProduct(t, env)
	h, err := settleapi.NewSettleDaily(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile("testdata/scheduled.json")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := h(ctx, in)
	if err != nil || len(sum.Failures) != 0 || len(sum.Batches) != 3 {
		t.Fatalf("summary %+v, %v; want one batch per demo merchant", sum, err)
	}
	again, err := h(ctx, in)
	if err != nil || len(again.Batches) != 3 || again.Batches[0].ClosedAt != sum.Batches[0].ClosedAt {
		t.Errorf("re-run %+v, %v; want the same batches", again, err)
	}
}
