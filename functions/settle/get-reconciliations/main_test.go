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
	settletest.Reconciled(t, env, day.String())
	resp := checkouttest.APIEventWith(t, settleapi.NewGetReconciliations, "testdata/get-reconciliations.json", settletest.With(day), 200)
	if !strings.Contains(resp.Body, `"date":"`+day.String()+`"`) {
		t.Errorf("answer %s, want the run of %s", resp.Body, day)
	}
}
