// Command approve-return is the Lambda behind POST /merchant/returns/{id}/approve: a merchant approves a return, which refunds it once.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("checkout/approve-return", checkoutapi.NewApproveReturn) }
