// Command list-replenishment serves GET /merchant/replenishment: the merchant's plans from the latest nightly forecast run (what to order, how much, by when).
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("forecast/list-replenishment", forecastapi.NewListReplenishment) }
