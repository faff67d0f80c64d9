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
	resp := checkouttest.APIEvent(t, checkoutapi.NewGetOrder, "testdata/get-order.json", o.ID, 200)
	if !strings.Contains(resp.Body, `"status":"PENDING_PAYMENT"`) {
		t.Errorf("answer %s, want it to show %s", resp.Body, `"status":"PENDING_PAYMENT"`)
	}
}
