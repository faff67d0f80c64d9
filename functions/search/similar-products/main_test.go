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
	resp := checkouttest.APIEventWith(t, searchapi.NewSimilarProducts, "testdata/similar-products.json", nil, 200)
	if !strings.Contains(resp.Body, `"items":[{`) || strings.Contains(resp.Body, `"id":"prd_3ivwjrio456wvnu5"`) {
		t.Errorf("want other products, not the product itself: %s", resp.Body)
	}
}
