// Package lambdafn starts jiaoyi's Lambdas the one way: a route's handler
// is built from the environment and guarded by the roles its route
// declares (internal/routes) before anything else runs; consumers are
// built and started as they are. Each function's main.go is one call
// here, and the local runner builds handlers through Handler, so a route
// is guarded the same way locally and in AWS.
package lambdafn

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
)

// Handler builds route r's handler with newHandler and guards it with the
// route's roles (claim names from the environment).
func Handler(ctx context.Context, r routes.Route, newHandler func(context.Context) (apigw.Handler, error)) (apigw.Handler, error) {
	names, err := config.Load[access.Claims]()
	if err != nil {
		return nil, err
	}
	h, err := newHandler(ctx)
	if err != nil {
		return nil, err
	}
	return access.Guard(r.Roles, names, h), nil
}

// HTTP starts the Lambda of the route that function fn serves.
func HTTP(fn string, newHandler func(context.Context) (apigw.Handler, error)) {
	r, ok := routes.ByFunction(fn)
	if !ok {
		fail(fn, fmt.Errorf("no route is served by %s", fn))
	}
	h, err := Handler(context.Background(), r, newHandler)
	if err != nil {
		fail(fn, err)
	}
	lambda.Start(h)
}

// Queue starts a queue consumer's Lambda.
func Queue(fn string, newHandler func(context.Context) (func(context.Context, events.SQSEvent) (events.SQSEventResponse, error), error)) {
	h, err := newHandler(context.Background())
	if err != nil {
		fail(fn, err)
	}
	lambda.Start(h)
}

// Scheduled starts a scheduled job's Lambda; its result is the invocation's answer.
func Scheduled[T any](fn string, newHandler func(context.Context) (func(context.Context, json.RawMessage) (T, error), error)) {
	h, err := newHandler(context.Background())
	if err != nil {
		fail(fn, err)
	}
	lambda.Start(h)
}

func fail(fn string, err error) {
	slog.Error("init "+fn, "error", err)
	os.Exit(1)
}

// Stream starts the Lambda of a DynamoDB stream consumer.
func Stream(fn string, newHandler func(context.Context) (func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), error)) {
	h, err := newHandler(context.Background())
	if err != nil {
		fail(fn, err)
	}
	lambda.Start(h)
}
