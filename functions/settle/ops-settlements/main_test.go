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
	resp := checkouttest.APIEventWith(t, settleapi.NewOpsSettlements, "testdata/ops-settlements.json", settletest.With(day), 200)
	if strings.Count(resp.Body, `"merchantId"`) != 3 {
		t.Errorf("answer %s, want the three demo merchants' settlements", resp.Body)
	}
}
