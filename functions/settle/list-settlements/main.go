// Command list-settlements is the Lambda behind GET /merchant/settlements: a merchant lists its daily settlements.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
)

func main() { lambdafn.HTTP("settle/list-settlements", settleapi.NewListSettlements) }
