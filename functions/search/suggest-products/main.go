// Command suggest-products is the Lambda behind GET /products/suggest: as-you-type completions.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
)

func main() { lambdafn.HTTP("search/suggest-products", searchapi.NewSuggestProducts) }
