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
	resp := checkouttest.APIEventWith(t, forecastapi.NewPutTerms, "testdata/put-sku-terms.json", nil, 200)
	var got forecastapi.SKUTerms
	if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
		t.Fatal(err)
	}
	if e := got.Effective; e.LeadTimeDays != 30 || e.LeadTimeSD != 4 || e.PackSize != 24 || e.MinOrder != 48 || e.ServiceLevel != got.Policy.ServiceLevel {
		t.Errorf("terms in effect %+v under %+v", e, got.Policy)
	}
	checkouttest.APIEventWith(t, forecastapi.NewPutTerms, "testdata/put-sku-terms.json", map[string]string{`\"packSize\": 24`: `\"packSize\": 2.5`}, 400)
}
