package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/searchtest"
)

// The demo catalog, indexed and published as the rebuild does; then the
// recorded request.
func TestSampleEvent(t *testing.T) {
	searchtest.Published(t)
	resp := checkouttest.APIEventWith(t, searchapi.NewSuggestProducts, "testdata/suggest-products.json", nil, 200)
	if !strings.Contains(resp.Body, "龙") {
		t.Errorf("no completion of 龙: %s", resp.Body)
	}
}
