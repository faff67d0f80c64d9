// Command retry-refunds runs on a schedule and submits again every refund
// the payment provider never answered (an outage, a crash).
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
)

func main() {
	h, err := checkoutapi.NewRetryRefunds(context.Background())
	if err != nil {
		slog.Error("init retry-refunds", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
