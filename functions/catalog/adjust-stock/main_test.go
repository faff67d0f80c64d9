package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalogapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	checkouttest.SeedDemoProduct(t, env)
	resp := checkouttest.APIEvent(t, catalogapi.NewAdjustStock, "testdata/adjust-stock.json", "", 201)
	if !strings.Contains(resp.Body, `"reason":"receipt"`) {
		t.Errorf("answer %s, want the recorded receipt", resp.Body)
	}
	again := checkouttest.APIEvent(t, catalogapi.NewAdjustStock, "testdata/adjust-stock.json", "", 201)
	if again.Headers["Idempotent-Replayed"] != "true" {
		t.Errorf("the retry was applied again: %v", again.Headers)
	}
}
