// Command list-merchant-products is the Lambda behind GET /merchant/products: the merchant's products, newest first.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/catalogapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("catalog/list-merchant-products", catalogapi.NewListProducts) }
