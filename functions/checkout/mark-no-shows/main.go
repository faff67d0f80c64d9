// Command mark-no-shows runs every 15 minutes: bookings whose slot ended without a check-in are marked no-shows and refunded per their store's policy.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.Scheduled("checkout/mark-no-shows", checkoutapi.NewMarkNoShows) }
