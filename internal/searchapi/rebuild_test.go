package searchapi_test

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
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
