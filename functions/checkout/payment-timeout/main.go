// Command payment-timeout consumes the payment-timeouts queue: it expires
// orders whose payment hold has ended and releases their stock and slot.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.Queue("checkout/payment-timeout", checkoutapi.NewPaymentTimeout) }
