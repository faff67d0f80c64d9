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
	awstest.FunctionEnv(t)
	day := settletest.Day(t)
	resp := checkouttest.APIEventWith(t, settleapi.NewRunReconciliation, "testdata/run-reconciliation.json", settletest.With(day), 200)
	if !strings.Contains(resp.Body, `"unmatched":0`) {
		t.Errorf("answer %s, want a clean run of an empty day", resp.Body)
	}
}
