// Command merchant-get-order is the Lambda behind GET /merchant/orders/{id}: an order with lines of the caller's merchant.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("checkout/merchant-get-order", checkoutapi.NewMerchantGetOrder) }
