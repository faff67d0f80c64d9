package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/replenish/replenishdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

// The recorded receipt of 120 of an order of 240: received once, however
// often it is sent.
func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	checkouttest.SeedDemoProduct(t, env)
	created := checkouttest.APIEventWith(t, forecastapi.NewCreatePurchaseOrder, "../create-purchase-order/testdata/create-purchase-order.json",
		map[string]string{"2026-12-08": time.Now().AddDate(0, 0, 7).Format("2006-01-02")}, 201)
	var po replenishdb.PurchaseOrder
	if err := json.Unmarshal([]byte(created.Body), &po); err != nil {
		t.Fatal(err)
	}
	with := map[string]string{"po_aaaaaaaaaaaaaaaa": po.ID}
	for i := range 2 {
		resp := checkouttest.APIEventWith(t, forecastapi.NewReceivePurchaseOrder, "testdata/receive-purchase-order.json", with, 200)
		if err := json.Unmarshal([]byte(resp.Body), &po); err != nil {
			t.Fatal(err)
		}
		if po.Received != 120 || po.Open != 120 || po.Status != replenishdb.Open || (i == 1) != (resp.Headers["Idempotent-Replayed"] == "true") {
			t.Errorf("receipt %d: %v %+v, want 120 received once, 120 open", i, resp.Headers, po)
		}
	}
}
