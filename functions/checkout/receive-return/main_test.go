package main

import (
	"context"
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	_, rid := checkouttest.ReturnRequested(t, env)
	if _, err := checkouttest.Service(t, env, nil).DecideReturn(context.Background(), rid, "", true, ""); err != nil {
		t.Fatal(err)
	}
	resp := checkouttest.APIEventWith(t, checkoutapi.NewReceiveReturn, "testdata/receive-return.json", map[string]string{"ret_aaaaaaaaaaaaaaaa": rid}, 200)
	if !strings.Contains(resp.Body, `"status":"RECEIVED"`) || !strings.Contains(resp.Body, `"resellable":true`) {
		t.Errorf("answer %s", resp.Body)
	}
}
