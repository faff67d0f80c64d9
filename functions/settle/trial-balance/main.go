// Command trial-balance is the Lambda behind GET /ops/ledger/trial-balance: every account's totals and proof that debits equal credits.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
)

func main() { lambdafn.HTTP("settle/trial-balance", settleapi.NewTrialBalance) }
