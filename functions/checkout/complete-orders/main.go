// Command complete-orders runs hourly: orders delivered or picked up a return window ago become COMPLETED, or PARTIALLY_REFUNDED if part was refunded.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.Scheduled("checkout/complete-orders", checkoutapi.NewCompleteOrders) }
