// Command list-slots is the Lambda behind GET /stores/{id}/slots.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
)

func main() {
	h, err := searchapi.NewListSlots(context.Background())
	if err != nil {
		slog.Error("init list-slots", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
