// Command create-purchase-order serves POST /merchant/purchase-orders: stock ordered from a supplier for one SKU at one location, counted as on order by the nightly plans.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("forecast/create-purchase-order", forecastapi.NewCreatePurchaseOrder) }
