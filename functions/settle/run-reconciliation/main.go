// Command run-reconciliation is the Lambda behind POST /ops/reconciliations: match the provider's report of a day against the ledger.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
)

func main() { lambdafn.HTTP("settle/run-reconciliation", settleapi.NewRunReconciliation) }
