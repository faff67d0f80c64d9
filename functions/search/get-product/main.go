// Command get-product is the Lambda behind GET /products/{id}.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
)

func main() {
	h, err := searchapi.NewGetProduct(context.Background())
	if err != nil {
		slog.Error("init get-product", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
