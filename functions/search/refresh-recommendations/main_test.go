package main

import (
	"context"
	"os"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/recommendapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	awstest.FunctionEnv(t)
	h, err := recommendapi.NewRefresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile("testdata/scheduled.json")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := h(ctx, in); err != nil || n != 0 {
		t.Errorf("refreshed %d, %v; want nothing due on fresh tables", n, err)
	}
}
