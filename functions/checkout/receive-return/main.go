// Command receive-return is the Lambda behind POST /merchant/returns/{id}/receive: returned goods arrive back; resellable ones restock.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("checkout/receive-return", checkoutapi.NewReceiveReturn) }
