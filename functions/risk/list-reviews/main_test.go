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
	resp := checkouttest.APIEvent(t, riskapi.NewListReviews, "testdata/list-reviews.json", o.ID, 200)
	if !strings.Contains(resp.Body, `"id":"`+o.ID+`"`) || !strings.Contains(resp.Body, `"decision":"review"`) {
		t.Errorf("answer %s, want the held order with its decision", resp.Body)
	}
}
