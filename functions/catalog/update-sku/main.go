// Command update-sku is the Lambda behind PATCH /merchant/products/{id}/skus/{skuId}: price and attributes.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/catalogapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("catalog/update-sku", catalogapi.NewUpdateSKU) }
