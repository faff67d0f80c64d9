package main

import (
	"context"
	"os"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	awstest.FunctionEnv(t)
	h, err := settleapi.NewReconcileDaily(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile("testdata/scheduled.json")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := h(ctx, in)
	if err != nil || len(runs) != 1 || runs[0].Unmatched != 0 {
		t.Errorf("runs %+v, %v; want one clean run", runs, err)
	}
}
