// Command receive-purchase-order serves POST /merchant/purchase-orders/{id}/receive: a delivery moves into the location's stock, once.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("forecast/receive-purchase-order", forecastapi.NewReceivePurchaseOrder) }
