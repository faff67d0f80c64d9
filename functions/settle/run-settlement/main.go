// Command run-settlement is the Lambda behind POST /ops/settlements/run: settle every merchant up to a business day.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
)

func main() { lambdafn.HTTP("settle/run-settlement", settleapi.NewRunSettlement) }
