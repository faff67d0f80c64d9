package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilmentapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	o := checkouttest.PlaceOrder(t, env, nil)
	checkouttest.Pay(t, env, o)
	resp := checkouttest.APIEventWith(t, fulfilmentapi.NewCreateShipment, "testdata/create-shipment.json",
		map[string]string{checkouttest.Placeholder: o.ID, "SKU_PLACEHOLDER": o.Lines[0].SKUID}, 201)
	if !strings.Contains(resp.Body, `"trackingNumber":"SF1400123456"`) {
		t.Errorf("answer %s", resp.Body)
	}
}
