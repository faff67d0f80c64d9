// Command check-in is the Lambda behind POST /merchant/stores/{id}/check-ins: store staff check a booked shopper in by the booking's code.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilmentapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("fulfilment/check-in", fulfilmentapi.NewCheckIn) }
