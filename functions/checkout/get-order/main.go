// Command get-order is the Lambda behind GET /orders/{id}.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
)

func main() {
	h, err := checkoutapi.NewGetOrder(context.Background())
	if err != nil {
		slog.Error("init get-order", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
