package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/riskapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	awstest.FunctionEnv(t)
	resp := checkouttest.APIEventWith(t, riskapi.NewPutRules, "testdata/put-rules.json", nil, 200)
	if !strings.Contains(resp.Body, `"updatedBy":"0b9e7a52-staff-4f0e-9d51-2c7f3e6a1b00"`) || !strings.Contains(resp.Body, `"10m":5`) {
		t.Errorf("answer %s", resp.Body)
	}
	// One merchant's rules.
	checkouttest.APIEventWith(t, riskapi.NewPutRules, "testdata/put-rules.json",
		map[string]string{"rules/global": "rules/mch_abcdefghijklmnop", `"scope": "global"`: `"scope": "mch_abcdefghijklmnop"`}, 200)
}

func TestBadRules(t *testing.T) {
	awstest.FunctionEnv(t)
	tests := []struct {
		name string
		with map[string]string
	}{
		{"bad scope", map[string]string{"rules/global": "rules/acme", `"scope": "global"`: `"scope": "acme"`}},
		{"bad window", map[string]string{`\"10m\":5`: `\"5m\":5`}},
		{"negative limit", map[string]string{`\"10m\":3`: `\"10m\":-3`}},
		{"bad currency", map[string]string{`{\"CNY\":500000}`: `{\"XYZ\":500000}`}},
		{"bad zone", map[string]string{`Asia/Shanghai`: `Mars/Olympus`}},
		{"unknown field", map[string]string{`\"maxAddresses\"`: `\"maxAddress\"`}},
		{"not a number", map[string]string{`\"maxAddresses\":5`: `\"maxAddresses\":\"five\"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := checkouttest.APIEventWith(t, riskapi.NewPutRules, "testdata/put-rules.json", tt.with, 400)
			if !strings.Contains(resp.Body, `"status":400`) {
				t.Errorf("answer %s", resp.Body)
			}
		})
	}
}
