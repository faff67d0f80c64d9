// Command settle-daily runs hourly: it settles each merchant for its business days that have ended.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
)

func main() { lambdafn.Scheduled("settle/settle-daily", settleapi.NewSettleDaily) }
