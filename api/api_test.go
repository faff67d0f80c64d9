package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
)

func TestSpecIsValid(t *testing.T) {
	if _, _, err := Load(); err != nil {
		t.Fatal(err)
	}
}

// The checker must catch drift, or the contract test proves nothing.
func TestCheckCatchesDrift(t *testing.T) {
	const product = `{"id":"prd_abcdefghijklmnop","name":{"zh":"茶","en":"Tea"},"description":{"zh":"","en":""},` +
		`"category":"tea","brand":"b","status":"ACTIVE","attributes":[],"skus":[{"id":"sku_abcdefghijklmnop",` +
		`"productId":"prd_abcdefghijklmnop","attributes":[],"price":{"amount":100,"currency":"CNY"},"available":1}],` +
		`"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}`
	req := events.APIGatewayV2HTTPRequest{RawPath: "/products/prd_abcdefghijklmnop"}
	req.RequestContext.HTTP.Method = http.MethodGet
	jsonCT := map[string]string{"Content-Type": "application/json"}
	problemCT := map[string]string{"Content-Type": "application/problem+json"}

	tests := []struct {
		name    string
		method  string
		path    string
		resp    events.APIGatewayV2HTTPResponse
		wantErr bool
	}{
		{"documented 200", "GET", "", events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonCT, Body: product}, false},
		{"documented 404", "GET", "", events.APIGatewayV2HTTPResponse{StatusCode: 404, Headers: problemCT, Body: `{"type":"x","title":"Not Found","status":404}`}, false},
		{"undocumented field", "GET", "", events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonCT, Body: product[:len(product)-1] + `,"secret":1}`}, true},
		{"missing field", "GET", "", events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonCT, Body: `{"id":"prd_abcdefghijklmnop"}`}, true},
		{"float money", "GET", "", events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonCT, Body: strings.Replace(product, `"amount":100`, `"amount":1.5`, 1)}, true},
		{"undocumented status", "GET", "", events.APIGatewayV2HTTPResponse{StatusCode: 418, Headers: jsonCT, Body: `{}`}, true},
		{"problem as plain json", "GET", "", events.APIGatewayV2HTTPResponse{StatusCode: 404, Headers: jsonCT, Body: `{"type":"x","title":"t","status":404}`}, true},
		{"undocumented route", "GET", "/nowhere", events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonCT, Body: `{}`}, true},
		{"undocumented method", "DELETE", "", events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonCT, Body: `{}`}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := req
			r.RequestContext.HTTP.Method = tt.method
			if tt.path != "" {
				r.RawPath = tt.path
			}
			err := Check(r, tt.resp)
			if (err != nil) != tt.wantErr {
				t.Errorf("Check err = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

// The contract lists exactly the currencies the money package accepts.
func TestCurrenciesMatchTheMoneyPackage(t *testing.T) {
	doc, _, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	enum := doc.Components.Schemas["Money"].Value.Properties["currency"].Value.Enum
	if len(enum) == 0 {
		t.Fatal("Money.currency has no enum")
	}
	for _, c := range enum {
		if _, ok := money.Exponent(c.(string)); !ok {
			t.Errorf("the contract lists %v, which money does not support", c)
		}
	}
	if got, want := len(enum), money.Supported(); got != want {
		t.Errorf("the contract lists %d currencies, money supports %d", got, want)
	}
}
