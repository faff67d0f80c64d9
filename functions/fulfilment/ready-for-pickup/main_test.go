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
	o := checkouttest.PickupOrder(t, env)
	checkouttest.Pay(t, env, o)
	resp := checkouttest.APIEvent(t, fulfilmentapi.NewReady, "testdata/ready.json", o.ID, 200)
	if !strings.Contains(resp.Body, `"status":"READY_FOR_PICKUP"`) || strings.Contains(resp.Body, `"code"`) {
		t.Errorf("answer %s: want ready, without the code", resp.Body)
	}
}
