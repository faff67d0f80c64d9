// Command post-ledger is the Lambda fed by the ledger-events queue: it books money events in the double-entry ledger, once each.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
)

func main() { lambdafn.Queue("settle/post-ledger", settleapi.NewPostLedger) }
