// Command reconcile-daily runs daily: it reconciles yesterday's provider report against the ledger.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
)

func main() { lambdafn.Scheduled("settle/reconcile-daily", settleapi.NewReconcileDaily) }
