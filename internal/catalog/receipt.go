package catalog

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
)

// ReceiptWrites returns the write that adds qty received units of a SKU to
// its stock at location and to its available count (what checkout takes
// from), for a caller that commits it in one transaction with its own
// record of the receipt. A SKU stocked in one place gets per-location
// stock, as at its first adjustment: what it had is placed at that
// location, conditional on its count not having moved since it was read
// (a failed condition means: read and build again). The caller has
// checked that the SKU and the location are the merchant's. Returns
// ErrProductNotFound for a SKU gone from the catalog.
func (r *Repository) ReceiptWrites(ctx context.Context, skuID, locationID string, qty int64) ([]types.TransactWriteItem, error) {
	skus, err := r.SKUs(ctx, []string{skuID})
	if err != nil {
		return nil, err
	}
	cur, ok := skus[skuID]
	if !ok {
		return nil, fmt.Errorf("sku %s: %w", skuID, ErrProductNotFound)
	}
	avail, stock := expression.Name("available"), expression.Name("stock")
	var upd expression.UpdateBuilder
	var cond expression.ConditionBuilder
	if len(cur.Stock) == 0 {
		n := cur.Available + qty
		upd = expression.Set(stock, expression.Value(map[string]int64{locationID: n})).Set(avail, expression.Value(n))
		cond = expression.AttributeNotExists(stock).And(avail.Equal(expression.Value(cur.Available)))
	} else {
		at := expression.Name("stock." + locationID)
		upd = expression.Set(at, expression.Plus(expression.IfNotExists(at, expression.Value(0)), expression.Value(qty))).
			Set(avail, avail.Plus(expression.Value(qty)))
		cond = expression.AttributeExists(stock)
	}
	w, err := dynamo.Update(r.table, SKUKey(skuID), upd, cond, false)
	if err != nil {
		return nil, err
	}
	return []types.TransactWriteItem{w}, nil
}
