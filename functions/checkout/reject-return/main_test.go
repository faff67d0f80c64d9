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
	_, rid := checkouttest.ReturnRequested(t, env)
	resp := checkouttest.APIEventWith(t, checkoutapi.NewRejectReturn, "testdata/reject-return.json", map[string]string{"ret_aaaaaaaaaaaaaaaa": rid}, 200)
	if !strings.Contains(resp.Body, `"status":"REJECTED"`) {
		t.Errorf("answer %s", resp.Body)
	}
}
