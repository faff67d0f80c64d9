package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	o := checkouttest.PlaceOrder(t, env, nil)
	checkouttest.Pay(t, env, o)
	resp := checkouttest.APIEvent(t, checkoutapi.NewMerchantGetOrder, "testdata/merchant-get-order.json", o.ID, 200)
	if !strings.Contains(resp.Body, `"status":"PAID"`) {
		t.Errorf("answer %s, want it to show %s", resp.Body, `"status":"PAID"`)
	}
}
