// Command create-refund is the Lambda behind POST /orders/{id}/refunds.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
)

func main() {
	h, err := checkoutapi.NewCreateRefund(context.Background())
	if err != nil {
		slog.Error("init create-refund", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
