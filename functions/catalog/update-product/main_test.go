package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalogapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	checkouttest.SeedDemoProduct(t, env)
	resp := checkouttest.APIEvent(t, catalogapi.NewUpdateProduct, "testdata/update-product.json", "", 200)
	if !strings.Contains(resp.Body, `"status":"INACTIVE"`) {
		t.Errorf("answer %s, want it to show %s", resp.Body, `"status":"INACTIVE"`)
	}
}
