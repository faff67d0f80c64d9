// Command get-settlement is the Lambda behind GET /merchant/settlements/{date}: one settlement with its lines and transfers (JSON or CSV).
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
)

func main() { lambdafn.HTTP("settle/get-settlement", settleapi.NewGetSettlement) }
