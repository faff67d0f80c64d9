// Command ready-for-pickup is the Lambda behind POST /merchant/orders/{id}/ready: a pickup order is prepared and gets its code.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilmentapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("fulfilment/ready-for-pickup", fulfilmentapi.NewReady) }
