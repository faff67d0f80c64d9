// Command record-purchases is the Lambda fed by the recommend-events queue: it counts paid orders' co-purchases.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/recommendapi"
)

func main() { lambdafn.Queue("search/record-purchases", recommendapi.NewRecordPurchases) }
