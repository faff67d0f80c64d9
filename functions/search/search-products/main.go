// Command search-products is the Lambda behind GET /products: bilingual product search and browse with facets, from the index snapshot.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
)

func main() { lambdafn.HTTP("search/search-products", searchapi.NewSearchProducts) }
