// Command create-shipment is the Lambda behind POST /merchant/orders/{id}/shipments: a merchant ships lines with a carrier's tracking number.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilmentapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("fulfilment/create-shipment", fulfilmentapi.NewCreateShipment) }
