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
	resp := checkouttest.APIEvent(t, catalogapi.NewListProducts, "testdata/list-merchant-products.json", "", 200)
	if !strings.Contains(resp.Body, `"products":[`) {
		t.Errorf("answer %s, want it to show %s", resp.Body, `"products":[`)
	}
}
