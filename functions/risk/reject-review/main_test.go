package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/riskapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	o := checkouttest.HeldOrder(t, env)
	first := checkouttest.APIEvent(t, riskapi.NewRejectReview, "testdata/reject-review.json", o.ID, 200)
	for _, want := range []string{`"outcome":"rejected"`, `"origin":"risk_rejected"`} {
		if !strings.Contains(first.Body, want) {
			t.Errorf("answer %s, want %s", first.Body, want)
		}
	}
	// A duplicate answers the same order with the one refund.
	again := checkouttest.APIEvent(t, riskapi.NewRejectReview, "testdata/reject-review.json", o.ID, 200)
	if strings.Count(again.Body, `"origin":"risk_rejected"`) != 1 {
		t.Errorf("after a duplicate reject: %s, want one refund", again.Body)
	}
}
