package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	o := checkouttest.PickedUpOrder(t, env)
	resp := checkouttest.APIEventWith(t, checkoutapi.NewRequestReturn, "testdata/request-return.json",
		map[string]string{checkouttest.Placeholder: o.ID, "SKU_PLACEHOLDER": o.Lines[0].SKUID}, 201)
	if !strings.Contains(resp.Body, `"status":"REQUESTED"`) {
		t.Errorf("answer %s", resp.Body)
	}
}
