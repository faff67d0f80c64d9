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
	resp := checkouttest.APIEventWith(t, forecastapi.NewCancelPurchaseOrder, "testdata/cancel-purchase-order.json", with, 200)
	if err := json.Unmarshal([]byte(resp.Body), &po); err != nil {
		t.Fatal(err)
	}
	if po.Status != replenishdb.Cancelled || po.Open != 0 || po.CancelledAt == nil {
		t.Errorf("cancelled order %+v", po)
	}
	checkouttest.APIEventWith(t, forecastapi.NewReceivePurchaseOrder, "../receive-purchase-order/testdata/receive-purchase-order.json", with, 409)
}
