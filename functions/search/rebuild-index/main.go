// Command rebuild-index is fed by the Catalog table's stream: a batch of catalog changes rebuilds the product search index and publishes its snapshot.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
)

func main() { lambdafn.Stream("search/rebuild-index", searchapi.NewRebuildIndex) }
