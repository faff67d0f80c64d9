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
	resp := checkouttest.APIEvent(t, checkoutapi.NewMerchantRefund, "testdata/merchant-refund.json", o.ID, 201)
	if !strings.Contains(resp.Body, `"status":"SUCCEEDED"`) {
		t.Errorf("answer %s, want it to show %s", resp.Body, `"status":"SUCCEEDED"`)
	}
}
