// Command get-reconciliations is the Lambda behind GET /ops/reconciliations/{date}: the reconciliation runs of a day.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
)

func main() { lambdafn.HTTP("settle/get-reconciliations", settleapi.NewGetReconciliations) }
