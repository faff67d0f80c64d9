// Command list-purchase-orders serves GET /merchant/purchase-orders: the merchant's purchase orders by status and SKU.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("forecast/list-purchase-orders", forecastapi.NewListPurchaseOrders) }
