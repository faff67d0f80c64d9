// Command ops-get-order is the Lambda behind GET /ops/orders/{id}: any order, for operators.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("checkout/ops-get-order", checkoutapi.NewOpsGetOrder) }
