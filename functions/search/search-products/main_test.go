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
	resp := checkouttest.APIEventWith(t, searchapi.NewSearchProducts, "testdata/search-products.json", nil, 200)
	if !strings.Contains(resp.Body, `"id":"prd_3ivwjrio456wvnu5"`) || !strings.Contains(resp.Body, `"facets"`) {
		t.Errorf("longjing (pinyin) does not find 西湖龙井: %s", resp.Body)
	}
}
