// Command redeem-pickup is the Lambda behind POST /merchant/stores/{id}/redemptions: store staff hand an order over against its code.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilmentapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("fulfilment/redeem-pickup", fulfilmentapi.NewRedeem) }
