// Command cancel-order is the Lambda behind POST /orders/{id}/cancel.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
)

func main() {
	h, err := checkoutapi.NewCancelOrder(context.Background())
	if err != nil {
		slog.Error("init cancel-order", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
