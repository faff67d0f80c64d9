// Command request-return is the Lambda behind POST /orders/{id}/returns: a shopper asks to return units of a delivered or picked-up order.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("checkout/request-return", checkoutapi.NewRequestReturn) }
