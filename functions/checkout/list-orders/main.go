// Command list-orders is the Lambda behind GET /orders.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
)

func main() {
	h, err := checkoutapi.NewListOrders(context.Background())
	if err != nil {
		slog.Error("init list-orders", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
