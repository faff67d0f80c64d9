// Command similar-products is the Lambda behind GET /products/{id}/similar: products like this one by text and attributes.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
)

func main() { lambdafn.HTTP("search/similar-products", searchapi.NewSimilarProducts) }
