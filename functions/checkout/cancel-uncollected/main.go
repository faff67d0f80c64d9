// Command cancel-uncollected runs hourly: pickup orders left at their store past their collect-by time are cancelled, restocked and refunded.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.Scheduled("checkout/cancel-uncollected", checkoutapi.NewCancelUncollected) }
