// Command refresh-recommendations runs on a schedule: it rebuilds the also-bought lists of products bought since.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/recommendapi"
)

func main() { lambdafn.Scheduled("search/refresh-recommendations", recommendapi.NewRefresh) }
