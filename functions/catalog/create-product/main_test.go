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
	resp := checkouttest.APIEvent(t, catalogapi.NewCreateProduct, "testdata/create-product.json", "", 201)
	if !strings.Contains(resp.Body, `"merchantId":"mch_n73aq6pgjbwwarjy"`) {
		t.Errorf("answer %s, want it to show %s", resp.Body, `"merchantId":"mch_n73aq6pgjbwwarjy"`)
	}
}
