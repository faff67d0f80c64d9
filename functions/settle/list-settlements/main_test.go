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
	resp := checkouttest.APIEventWith(t, settleapi.NewListSettlements, "testdata/list-settlements.json", settletest.With(day), 200)
	if !strings.Contains(resp.Body, `"date":"`+day.String()+`"`) || !strings.Contains(resp.Body, settletest.Merchant) {
		t.Errorf("answer %s, want the tea house's settlement of %s", resp.Body, day)
	}
}
