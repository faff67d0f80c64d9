// Command merchant-refund is the Lambda behind POST /merchant/orders/{id}/refunds: the merchant refunds its order.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("checkout/merchant-refund", checkoutapi.NewMerchantRefund) }
