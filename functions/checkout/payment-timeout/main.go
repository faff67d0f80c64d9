// Command payment-timeout consumes the payment-timeouts queue: it expires
// orders whose payment hold has ended and releases their stock and slot.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
)

func main() {
	h, err := checkoutapi.NewPaymentTimeout(context.Background())
	if err != nil {
		slog.Error("init payment-timeout", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
