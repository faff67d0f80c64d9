package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	awstest.FunctionEnv(t)
	resp := checkouttest.APIEventWith(t, settleapi.NewTrialBalance, "testdata/trial-balance.json", nil, 200)
	if !strings.Contains(resp.Body, `"balanced":true`) {
		t.Errorf("answer %s", resp.Body)
	}
}
