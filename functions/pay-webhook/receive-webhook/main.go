// Command receive-webhook is the Lambda behind POST /webhooks/{provider}: verify, record, enqueue.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
)

func main() {
	h, err := payapi.NewReceiveWebhook(context.Background())
	if err != nil {
		slog.Error("init receive-webhook", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
