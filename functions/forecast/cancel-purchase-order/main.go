// Command cancel-purchase-order serves POST /merchant/purchase-orders/{id}/cancel: what an open purchase order has still to deliver is called off.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("forecast/cancel-purchase-order", forecastapi.NewCancelPurchaseOrder) }
