// Command apply-payment-events consumes the payment-events FIFO queue and applies each event to its order.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
)

func main() {
	h, err := payapi.NewApplyPaymentEvents(context.Background())
	if err != nil {
		slog.Error("init apply-payment-events", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
