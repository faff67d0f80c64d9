package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/recommendapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

// With no history yet the product page shows best-sellers (none on fresh
// tables): the answer follows the contract either way.
func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	checkouttest.SeedDemoProduct(t, env)
	resp := checkouttest.APIEvent(t, recommendapi.NewAlsoBought, "testdata/also-bought.json", "", 200)
	if !strings.Contains(resp.Body, `"source":"popular"`) {
		t.Errorf("answer %s, want the popular fallback", resp.Body)
	}
}
