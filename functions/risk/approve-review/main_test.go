package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/riskapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	o := checkouttest.HeldOrder(t, env)
	resp := checkouttest.APIEvent(t, riskapi.NewApproveReview, "testdata/approve-review.json", o.ID, 200)
	for _, want := range []string{`"status":"PAID"`, `"outcome":"approved"`, `"reviewedBy":"0b9e7a52-staff-4f0e-9d51-2c7f3e6a1b00"`} {
		if !strings.Contains(resp.Body, want) {
			t.Errorf("answer %s, want %s", resp.Body, want)
		}
	}
	// Again: the same order; then reject is a conflict.
	checkouttest.APIEvent(t, riskapi.NewApproveReview, "testdata/approve-review.json", o.ID, 200)
	checkouttest.APIEventWith(t, riskapi.NewRejectReview, "testdata/approve-review.json",
		map[string]string{checkouttest.Placeholder: o.ID, "/approve": "/reject"}, 409)
}

func TestBadRequests(t *testing.T) {
	awstest.FunctionEnv(t)
	tests := []struct {
		name string
		with map[string]string
		want int
	}{
		{"malformed order id", map[string]string{checkouttest.Placeholder: "ord_short"}, 400},
		{"unknown order", map[string]string{}, 404},
		{"unknown field", map[string]string{`{\"note\"`: `{\"notes\"`}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkouttest.APIEventWith(t, riskapi.NewApproveReview, "testdata/approve-review.json", tt.with, tt.want)
		})
	}
}
