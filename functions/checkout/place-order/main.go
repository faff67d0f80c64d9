// Command place-order is the Lambda behind POST /orders.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("checkout/place-order", checkoutapi.NewPlaceOrder) }
