// Command ops-refund is the Lambda behind POST /ops/orders/{id}/refunds: an operator refunds an order.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("checkout/ops-refund", checkoutapi.NewOpsRefund) }
