// Command retry-refunds runs on a schedule and submits again every refund
// the payment provider never answered (an outage, a crash).
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.Scheduled("checkout/retry-refunds", checkoutapi.NewRetryRefunds) }
