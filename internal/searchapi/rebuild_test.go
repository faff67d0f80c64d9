package searchapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/search/snapshot"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/searchtest"
)

func TestChangesSkipsStockCountsOnly(t *testing.T) {
	n := events.NewNumberAttribute
	s := events.NewStringAttribute
	sku := func(available string, stock map[string]string, price string) map[string]events.DynamoDBAttributeValue {
		m := map[string]events.DynamoDBAttributeValue{}
		for k, v := range stock {
			m[k] = n(v)
		}
		return map[string]events.DynamoDBAttributeValue{"pk": s("SKU#sku_a"), "sk": s("SKU"), "available": n(available),
			"stock": events.NewMapAttribute(m), "price": n(price)}
	}
	const store, whs = "sto_aaaaaaaaaaaaaaaa", "whs_aaaaaaaaaaaaaaaa"
	rec := func(name string, old, cur map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
		r := events.DynamoDBEventRecord{EventName: name}
		r.Change.Keys = map[string]events.DynamoDBAttributeValue{"pk": s("SKU#sku_a"), "sk": s("SKU")}
		r.Change.OldImage, r.Change.NewImage = old, cur
		return r
	}
	tests := []struct {
		name string
		rec  events.DynamoDBEventRecord
		want bool
	}{
		{"an order takes stock", rec("MODIFY", sku("10", map[string]string{store: "4", whs: "6"}, "100"), sku("9", map[string]string{store: "3", whs: "6"}, "100")), false},
		{"the warehouse runs out, the store has some", rec("MODIFY", sku("5", map[string]string{store: "4", whs: "1"}, "100"), sku("4", map[string]string{store: "4", whs: "0"}, "100")), false},
		{"the store runs out", rec("MODIFY", sku("5", map[string]string{store: "1", whs: "4"}, "100"), sku("4", map[string]string{store: "0", whs: "4"}, "100")), true},
		{"the SKU sells out", rec("MODIFY", sku("1", nil, "100"), sku("0", nil, "100")), true},
		{"it is back in stock", rec("MODIFY", sku("0", nil, "100"), sku("3", nil, "100")), true},
		{"the price changes", rec("MODIFY", sku("5", nil, "100"), sku("5", nil, "90")), true},
		{"a new SKU", rec("INSERT", nil, sku("5", nil, "100")), true},
		{"no old image", rec("MODIFY", nil, sku("5", nil, "100")), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := searchapi.Changes([]events.DynamoDBEventRecord{tt.rec}); got != tt.want {
				t.Errorf("Changes = %v, want %v", got, tt.want)
			}
		})
	}
	product := rec("MODIFY", sku("5", nil, "100"), sku("5", nil, "100"))
	product.Change.Keys["pk"] = s("PRODUCT#prd_a")
	if !searchapi.Changes([]events.DynamoDBEventRecord{rec("MODIFY", sku("10", nil, "1"), sku("9", nil, "1")), product}) {
		t.Error("a batch with a product change was skipped")
	}
}

// A batch where only stock moved rebuilds nothing while the snapshot's
// sales counts are fresh, and rebuilds once they are older than
// SalesRefresh; with nothing published it builds the first snapshot.
func TestStockOnlyBatchesRefreshStaleSales(t *testing.T) {
	ctx := context.Background()
	searchtest.Seeded(t)
	r, err := searchapi.NewRebuilder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := events.NewNumberAttribute
	sku := func(available string) map[string]events.DynamoDBAttributeValue {
		return map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute("SKU#sku_a"), "sk": events.NewStringAttribute("SKU"), "available": n(available)}
	}
	rec := events.DynamoDBEventRecord{EventName: "MODIFY"}
	rec.Change.Keys = map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute("SKU#sku_a"), "sk": events.NewStringAttribute("SKU")}
	rec.Change.OldImage, rec.Change.NewImage = sku("9"), sku("8")
	rec.Change.SequenceNumber = "100"
	stockOnly := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}}
	version := func() string {
		t.Helper()
		m, err := snapshot.Latest(ctx, r.S3, r.Bucket)
		if err != nil {
			t.Fatal(err)
		}
		return m.Version
	}
	handle := func() {
		t.Helper()
		if out, err := r.Handle(ctx, stockOnly); err != nil || len(out.BatchItemFailures) > 0 {
			t.Fatalf("handle: %+v, %v", out, err)
		}
	}

	handle()
	first := version() // nothing was published: the batch built one
	handle()
	if got := version(); got != first {
		t.Fatalf("a stock-only batch rebuilt a fresh snapshot: %s → %s", first, got)
	}
	r.Now = func() time.Time { return time.Now().Add(searchapi.SalesRefresh + time.Second) }
	handle()
	if got := version(); got == first {
		t.Fatal("a stock-only batch did not rebuild a snapshot older than SalesRefresh")
	}
}
