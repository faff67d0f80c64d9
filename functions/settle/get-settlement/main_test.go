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
	day := settletest.Day(t)
	settletest.Settled(t, env, day)
	resp := checkouttest.APIEventWith(t, settleapi.NewGetSettlement, "testdata/get-settlement.json", settletest.With(day), 200)
	if !strings.Contains(resp.Body, `"merchantId":"`+settletest.Merchant+`"`) || !strings.Contains(resp.Body, `"lines":[`) {
		t.Errorf("answer %s", resp.Body)
	}
}
