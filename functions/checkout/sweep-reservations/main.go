// Command sweep-reservations runs on a schedule and expires every order
// whose payment hold ended without a timeout message handling it.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.Scheduled("checkout/sweep-reservations", checkoutapi.NewSweep) }
