package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/settletest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	checkouttest.SeedDemoProduct(t, env)
	day := settletest.Day(t)
	resp := checkouttest.APIEventWith(t, settleapi.NewRunSettlement, "testdata/run-settlement.json", settletest.With(day), 200)
	if !strings.Contains(resp.Body, `"merchantId":"`+settletest.Merchant+`"`) || strings.Contains(resp.Body, `"failures"`) {
		t.Errorf("answer %s", resp.Body)
	}
}
