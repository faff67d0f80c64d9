// Command carrier-webhook is the Lambda behind POST /webhooks/carrier/{carrier}: carriers' signed tracking events.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilmentapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("fulfilment/carrier-webhook", fulfilmentapi.NewCarrierWebhook) }
