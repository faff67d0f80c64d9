// Command apply-payment-events consumes the payment-events FIFO queue and applies each event to its order.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
)

func main() { lambdafn.Queue("pay-webhook/apply-payment-events", payapi.NewApplyPaymentEvents) }
