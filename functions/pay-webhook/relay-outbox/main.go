// Command relay-outbox runs on a schedule and sends outbox events that were not sent right after their commit.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
)

func main() {
	h, err := payapi.NewRelayOutbox(context.Background())
	if err != nil {
		slog.Error("init relay-outbox", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
