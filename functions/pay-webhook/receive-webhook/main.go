// Command receive-webhook is the Lambda behind POST /webhooks/{provider}: verify, record, enqueue.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
)

func main() { lambdafn.HTTP("pay-webhook/receive-webhook", payapi.NewReceiveWebhook) }
