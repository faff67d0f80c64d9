// Command cancel-order is the Lambda behind POST /orders/{id}/cancel.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("checkout/cancel-order", checkoutapi.NewCancelOrder) }
