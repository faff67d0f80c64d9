// Command reject-return is the Lambda behind POST /merchant/returns/{id}/reject: a merchant rejects a return.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("checkout/reject-return", checkoutapi.NewRejectReturn) }
