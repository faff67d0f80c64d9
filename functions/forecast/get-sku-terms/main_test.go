package main

import (
	"encoding/json"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	checkouttest.SeedDemoProduct(t, env)
	checkouttest.APIEventWith(t, forecastapi.NewPutTerms, "../put-sku-terms/testdata/put-sku-terms.json", nil, 200)
	resp := checkouttest.APIEventWith(t, forecastapi.NewGetTerms, "testdata/get-sku-terms.json", nil, 200)
	var got forecastapi.SKUTerms
	if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Terms.PackSize == nil || *got.Terms.PackSize != 24 || got.Effective.LeadTimeDays != 30 || got.Policy.LeadTimeDays == 30 {
		t.Errorf("terms %+v", got)
	}
}
