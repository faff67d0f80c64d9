// Command ops-settlements is the Lambda behind GET /ops/settlements: every merchant's settlement of a day.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
)

func main() { lambdafn.HTTP("settle/ops-settlements", settleapi.NewOpsSettlements) }
