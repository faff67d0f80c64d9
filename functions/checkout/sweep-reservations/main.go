// Command sweep-reservations runs on a schedule and expires every order
// whose payment hold ended without a timeout message handling it.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
)

func main() {
	h, err := checkoutapi.NewSweep(context.Background())
	if err != nil {
		slog.Error("init sweep-reservations", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
