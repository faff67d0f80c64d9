package main

import (
	"strings"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	checkouttest.SeedDemoProduct(t, env)
	// The recorded date, a week from now.
	with := map[string]string{"2026-12-08": time.Now().AddDate(0, 0, 7).Format("2006-01-02")}
	resp := checkouttest.APIEventWith(t, forecastapi.NewCreatePurchaseOrder, "testdata/create-purchase-order.json", with, 201)
	if !strings.Contains(resp.Body, `"status":"open"`) || !strings.Contains(resp.Body, `"open":240`) {
		t.Errorf("answer %s, want an open order of 240", resp.Body)
	}
	again := checkouttest.APIEventWith(t, forecastapi.NewCreatePurchaseOrder, "testdata/create-purchase-order.json", with, 201)
	if again.Headers["Idempotent-Replayed"] != "true" || again.Body != resp.Body {
		t.Errorf("the retry made another order: %v %s", again.Headers, again.Body)
	}
}
