// Command get-sku-terms serves GET /merchant/replenishment/skus/{skuId}/terms: a SKU's supplier terms, the merchant policy they override and what the next run plans it with.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("forecast/get-sku-terms", forecastapi.NewGetTerms) }
