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
	checkouttest.APIEventWith(t, forecastapi.NewCreatePurchaseOrder, "../create-purchase-order/testdata/create-purchase-order.json",
		map[string]string{"2026-12-08": time.Now().AddDate(0, 0, 7).Format("2006-01-02")}, 201)
	resp := checkouttest.APIEventWith(t, forecastapi.NewListPurchaseOrders, "testdata/list-purchase-orders.json", nil, 200)
	var page replenishdb.POPage
	if err := json.Unmarshal([]byte(resp.Body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.PurchaseOrders) != 1 || page.PurchaseOrders[0].Quantity != 240 {
		t.Errorf("open orders %+v, want the one of 240", page.PurchaseOrders)
	}
}
