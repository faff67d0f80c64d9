// Command get-order is the Lambda behind GET /orders/{id}.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("checkout/get-order", checkoutapi.NewGetOrder) }
