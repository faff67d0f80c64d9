package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/searchtest"
)

// A product deactivated in the catalog leaves search once the recorded
// stream batch has rebuilt the index.
func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	repo := searchtest.Seeded(t)
	h, err := searchapi.NewRebuildIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/catalog-change.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	if out, err := h(ctx, ev); err != nil || len(out.BatchItemFailures) != 0 {
		t.Fatalf("first build: %+v, %v", out, err)
	}
	// Check the manifest on every query, so the swap shows at once.
	t.Setenv("JIAOYI_SEARCH_REFRESH_SECONDS", "0")
	found := func() bool {
		resp := checkouttest.APIEventWith(t, searchapi.NewSearchProducts, "../search-products/testdata/search-products.json", nil, 200)
		return strings.Contains(resp.Body, `"id":"prd_3ivwjrio456wvnu5"`)
	}
	if !found() {
		t.Fatal("西湖龙井 not found before the change")
	}
	p := demo.Catalog().Products[0]
	p.Status = catalog.Inactive
	if err := repo.Write(ctx, catalog.Batch{Products: []catalog.Product{p}}); err != nil {
		t.Fatal(err)
	}
	if out, err := h(ctx, ev); err != nil || len(out.BatchItemFailures) != 0 {
		t.Fatalf("rebuild: %+v, %v", out, err)
	}
	if found() {
		t.Error("a deactivated product is still sold in search after the rebuild")
	}
}
