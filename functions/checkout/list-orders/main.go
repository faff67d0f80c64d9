// Command list-orders is the Lambda behind GET /orders.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("checkout/list-orders", checkoutapi.NewListOrders) }
