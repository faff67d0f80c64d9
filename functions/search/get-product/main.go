// Command get-product is the Lambda behind GET /products/{id}.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
)

func main() { lambdafn.HTTP("search/get-product", searchapi.NewGetProduct) }
