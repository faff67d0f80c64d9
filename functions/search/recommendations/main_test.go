package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/recommendapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func TestSampleEvent(t *testing.T) {
	awstest.FunctionEnv(t)
	resp := checkouttest.APIEvent(t, recommendapi.NewForYou, "testdata/recommendations.json", "", 200)
	if !strings.Contains(resp.Body, `"items":[]`) {
		t.Errorf("answer %s, want an empty list on fresh tables", resp.Body)
	}
}
