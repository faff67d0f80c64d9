// Package routes is the one table of jiaoyi's HTTP routes. The local runner
// (`make run`) serves it and the CDK app deploys it: each route is its own
// Lambda, built from functions/<Function>/, with the handler constructor
// that the function's main.go calls.
package routes

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
)

// Auth says who may call a route.
type Auth int

const (
	// Public routes need no token (webhooks authenticate by signature).
	Public Auth = iota
	// JWT routes need a valid token; the handler reads its `sub` claim.
	JWT
)

// Access is a function's use of a table or queue, for least-privilege IAM.
type Access int

// Kinds of access.
const (
	Read Access = iota
	ReadWrite
	Send
)

// TableAccess grants a function access to a table.
type TableAccess struct {
	Table  resource.Table
	Access Access
}

// Route is one HTTP API route and the Lambda behind it.
type Route struct {
	Method string
	// Path uses API Gateway's syntax, which net/http's ServeMux shares:
	// /products/{id}.
	Path string
	// Function is the function's folder under functions/, e.g. "search/get-product".
	Function string
	Auth     Auth
	MemoryMB int
	Timeout  time.Duration
	Tables   []TableAccess
	// Sends lists the queues the function sends to.
	Sends []resource.Queue
	// New builds the handler from the environment, as main.go does.
	New func(ctx context.Context) (apigw.Handler, error)
}

// Key is the API Gateway route key, "GET /products/{id}".
func (r Route) Key() string { return r.Method + " " + r.Path }

// All returns every route.
func All() []Route {
	return []Route{
		{
			Method: "GET", Path: "/products/{id}", Function: "search/get-product",
			Auth: Public, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Catalog, Read}},
			New:    searchapi.NewGetProduct,
		},
		{
			Method: "GET", Path: "/stores/{id}/slots", Function: "search/list-slots",
			Auth: Public, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Catalog, Read}},
			New:    searchapi.NewListSlots,
		},
		{
			Method: "POST", Path: "/orders", Function: "checkout/place-order",
			Auth: JWT, MemoryMB: 512, Timeout: 15 * time.Second,
			Tables: checkoutTables, Sends: []resource.Queue{resource.PaymentTimeouts},
			New: checkoutapi.NewPlaceOrder,
		},
		{
			Method: "GET", Path: "/orders", Function: "checkout/list-orders",
			Auth: JWT, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Orders, Read}},
			New:    checkoutapi.NewListOrders,
		},
		{
			Method: "GET", Path: "/orders/{id}", Function: "checkout/get-order",
			Auth: JWT, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Orders, Read}},
			New:    checkoutapi.NewGetOrder,
		},
		{
			Method: "POST", Path: "/orders/{id}/cancel", Function: "checkout/cancel-order",
			Auth: JWT, MemoryMB: 256, Timeout: 15 * time.Second,
			Tables: checkoutTables,
			New:    checkoutapi.NewCancelOrder,
		},
		{
			Method: "POST", Path: "/orders/{id}/refunds", Function: "checkout/create-refund",
			Auth: JWT, MemoryMB: 256, Timeout: 15 * time.Second,
			Tables: checkoutTables,
			New:    checkoutapi.NewCreateRefund,
		},
		{
			// Public: the signature over the body is the authentication.
			Method: "POST", Path: "/webhooks/{provider}", Function: "pay-webhook/receive-webhook",
			Auth: Public, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Payments, ReadWrite}}, Sends: []resource.Queue{resource.PaymentEvents},
			New: payapi.NewReceiveWebhook,
		},
	}
}

// checkoutTables is what placing and releasing orders touches: stock and
// slots in Catalog, orders in Orders, the sandbox provider's intents in
// Payments.
var checkoutTables = []TableAccess{{resource.Catalog, ReadWrite}, {resource.Orders, ReadWrite}, {resource.Payments, ReadWrite}}

// QueueHandler is the Lambda signature of an SQS consumer.
type QueueHandler func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)

// ScheduledHandler is the signature of a scheduled job, as the local runner
// calls it (the Lambda's own handler may also return a result).
type ScheduledHandler func(ctx context.Context, in json.RawMessage) error

// Consumer is a Lambda fed by a queue or a schedule rather than a route.
type Consumer struct {
	// Function is the function's folder under functions/.
	Function string
	// Queue feeds the consumer, with up to BatchSize messages per call.
	Queue     *resource.Queue
	BatchSize int32
	// Every is the schedule of a scheduled consumer (EventBridge Scheduler
	// rate in AWS, a ticker in `make run`).
	Every    time.Duration
	MemoryMB int
	Timeout  time.Duration
	Tables   []TableAccess
	Sends    []resource.Queue
	// NewQueue or NewScheduled builds the handler from the environment.
	NewQueue     func(ctx context.Context) (QueueHandler, error)
	NewScheduled func(ctx context.Context) (ScheduledHandler, error)
}

// Consumers returns every queue and schedule consumer.
func Consumers() []Consumer {
	return []Consumer{
		{
			Function: "checkout/payment-timeout", Queue: &resource.PaymentTimeouts, BatchSize: 10,
			MemoryMB: 256, Timeout: 30 * time.Second,
			Tables: checkoutTables, Sends: []resource.Queue{resource.PaymentTimeouts},
			NewQueue: func(ctx context.Context) (QueueHandler, error) {
				return checkoutapi.NewPaymentTimeout(ctx)
			},
		},
		{
			Function: "pay-webhook/apply-payment-events", Queue: &resource.PaymentEvents, BatchSize: 10,
			MemoryMB: 256, Timeout: 30 * time.Second,
			Tables: checkoutTables, Sends: []resource.Queue{resource.OrderEvents},
			NewQueue: func(ctx context.Context) (QueueHandler, error) {
				return payapi.NewApplyPaymentEvents(ctx)
			},
		},
		{
			Function: "pay-webhook/relay-outbox", Every: time.Minute,
			MemoryMB: 256, Timeout: 60 * time.Second,
			Tables: []TableAccess{{resource.Orders, ReadWrite}}, Sends: []resource.Queue{resource.OrderEvents},
			NewScheduled: scheduled(payapi.NewRelayOutbox),
		},
		{
			Function: "checkout/retry-refunds", Every: 5 * time.Minute,
			MemoryMB: 256, Timeout: 2 * time.Minute,
			Tables:       checkoutTables,
			NewScheduled: scheduled(checkoutapi.NewRetryRefunds),
		},
		{
			Function: "checkout/sweep-reservations", Every: 5 * time.Minute,
			MemoryMB: 256, Timeout: 5 * time.Minute,
			Tables:       checkoutTables,
			NewScheduled: scheduled(checkoutapi.NewSweep),
		},
	}
}

// scheduled adapts a scheduled function's constructor, whose handler also
// returns a result (logged by the function), to ScheduledHandler.
func scheduled[T any](newHandler func(context.Context) (func(context.Context, json.RawMessage) (T, error), error)) func(context.Context) (ScheduledHandler, error) {
	return func(ctx context.Context) (ScheduledHandler, error) {
		h, err := newHandler(ctx)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, in json.RawMessage) error {
			_, err := h(ctx, in)
			return err
		}, nil
	}
}
