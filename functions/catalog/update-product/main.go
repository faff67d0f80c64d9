// Command update-product is the Lambda behind PATCH /merchant/products/{id}: text, category, brand, status.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/catalogapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("catalog/update-product", catalogapi.NewUpdateProduct) }
