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
	resp := checkouttest.APIEventWith(t, checkoutapi.NewApproveReturn, "testdata/approve-return.json", map[string]string{"ret_aaaaaaaaaaaaaaaa": rid}, 200)
	if !strings.Contains(resp.Body, `"status":"APPROVED"`) || !strings.Contains(resp.Body, `"refundId":"rfd_`) {
		t.Errorf("answer %s", resp.Body)
	}
}
