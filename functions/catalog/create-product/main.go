// Command create-product is the Lambda behind POST /merchant/products: a merchant adds a product with its SKUs.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/catalogapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("catalog/create-product", catalogapi.NewCreateProduct) }
