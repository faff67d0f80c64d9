// Command put-sku-terms serves PUT /merchant/replenishment/skus/{skuId}/terms: a SKU's supplier lead time, pack size and minimum order for the nightly plans.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("forecast/put-sku-terms", forecastapi.NewPutTerms) }
