// Package checkoutapi serves the checkout routes of the HTTP API (place,
// read and cancel orders) and the checkout consumers (payment timeouts and
// the sweep of expired reservations).
package checkoutapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/idempotency"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// MaxBody bounds a request body: a full order is well under 16 KiB.
const MaxBody = 64 << 10

// API answers the order routes.
type API struct {
	Checkout    *checkout.Service
	Idempotency *idempotency.Store
}

// ErrInvalidOrderID is a malformed order id in the path.
var ErrInvalidOrderID = problem.Field("id", "order id is malformed: want ord_ followed by 16 characters a-z, 2-7")

// deps builds the service from the environment once per container.
func deps(ctx context.Context) (*API, *slog.Logger, error) {
	svc, cfg, db, log, err := checkout.FromEnv(ctx)
	if err != nil {
		return nil, nil, err
	}
	return &API{Checkout: svc, Idempotency: idempotency.NewStore(db, cfg.OrdersTable)}, log, nil
}

// build makes a handler of the API from the environment.
func build(ctx context.Context, fn func(*API, context.Context, apigw.Request) (apigw.Response, error)) (apigw.Handler, error) {
	a, log, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(log, func(ctx context.Context, req apigw.Request) (apigw.Response, error) { return fn(a, ctx, req) }), nil
}

// NewPlaceOrder builds the POST /orders handler from the environment.
func NewPlaceOrder(ctx context.Context) (apigw.Handler, error) {
	a, log, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(log, a.Place), nil
}

// NewGetOrder builds the GET /orders/{id} handler from the environment.
func NewGetOrder(ctx context.Context) (apigw.Handler, error) {
	a, log, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(log, a.Get), nil
}

// NewCancelOrder builds the POST /orders/{id}/cancel handler from the environment.
func NewCancelOrder(ctx context.Context) (apigw.Handler, error) {
	a, log, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(log, a.Cancel), nil
}

// Place answers POST /orders: 201 with the order and what the app needs to
// pay it. The body is checked before the Idempotency-Key is claimed, so a
// malformed request writes nothing; the answer is stored in the order's own
// transaction.
func (a *API) Place(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	customer, err := apigw.Subject(req)
	if err != nil {
		return apigw.Response{}, err
	}
	var body order.PlaceRequest
	if err := apigw.DecodeJSON(req, &body, MaxBody); err != nil {
		return apigw.Response{}, err
	}
	if err := body.Validate(); err != nil {
		return apigw.Response{}, err
	}
	if body.Client, err = client(req); err != nil {
		return apigw.Response{}, err
	}
	return a.Idempotency.DoTx(ctx, req, func(ctx context.Context, req apigw.Request, complete idempotency.Completer) (apigw.Response, bool, error) {
		o, err := a.Checkout.Place(ctx, customer, body, func(o order.Order) (types.TransactWriteItem, error) {
			r, err := created(o)
			if err != nil {
				return types.TransactWriteItem{}, err
			}
			return complete(r)
		})
		if err != nil {
			return apigw.Response{}, false, err
		}
		r, err := created(o)
		if err != nil {
			return apigw.Response{}, true, err
		}
		return apigw.Response{StatusCode: r.StatusCode, Headers: r.Headers, Body: r.Body}, true, nil
	})
}

// DeviceHeader optionally names the shopper's device, for risk control.
const DeviceHeader = "X-Device-Id"

// client reads what the app says of itself: the optional device header
// (at most 128 printable ASCII characters) and the caller's address.
func client(req apigw.Request) (order.Client, error) {
	dev := apigw.Header(req, DeviceHeader)
	if len(dev) > 128 || strings.IndexFunc(dev, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
		return order.Client{}, problem.Field(DeviceHeader, DeviceHeader+" must be at most 128 printable ASCII characters")
	}
	return order.Client{DeviceID: dev, IP: req.RequestContext.HTTP.SourceIP}, nil
}

// created renders a placed order as the 201 answer (stored for replays).
// Risk control's word is not the shopper's to read.
func created(o order.Order) (idempotency.Response, error) {
	o.Risk = nil
	body, err := json.Marshal(o)
	if err != nil {
		return idempotency.Response{}, fmt.Errorf("encode order: %w", err)
	}
	return idempotency.Response{
		StatusCode: http.StatusCreated,
		Headers:    map[string]string{"Content-Type": "application/json", "Location": "/orders/" + o.ID},
		Body:       string(body),
	}, nil
}

// Get answers GET /orders/{id}; another customer's order is a 404.
func (a *API) Get(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	customer, orderID, err := caller(req)
	if err != nil {
		return apigw.Response{}, err
	}
	o, err := a.Checkout.Order(ctx, customer, orderID)
	if err != nil {
		return apigw.Response{}, err
	}
	o.Risk = nil
	o.Timeline = o.BuildTimeline()
	return apigw.JSON(http.StatusOK, o)
}

// Cancel answers POST /orders/{id}/cancel: the cancelled order. Repeating
// it returns the same order; an order that is paid or expired is a 409.
func (a *API) Cancel(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	customer, orderID, err := caller(req)
	if err != nil {
		return apigw.Response{}, err
	}
	o, err := a.Checkout.Cancel(ctx, customer, orderID)
	if err != nil {
		return apigw.Response{}, err
	}
	o.Risk = nil
	return apigw.JSON(http.StatusOK, o)
}

func caller(req apigw.Request) (customer, orderID string, err error) {
	if customer, err = apigw.Subject(req); err != nil {
		return "", "", err
	}
	orderID = req.PathParameters["id"]
	if !id.Valid(id.Order, orderID) {
		return "", "", ErrInvalidOrderID
	}
	return customer, orderID, nil
}

// TimeoutConsumer handles the payment-timeout queue.
type TimeoutConsumer struct {
	Checkout *checkout.Service
	Log      *slog.Logger
}

// NewPaymentTimeout builds the payment-timeout consumer from the environment.
func NewPaymentTimeout(ctx context.Context) (func(context.Context, events.SQSEvent) (events.SQSEventResponse, error), error) {
	a, log, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return (&TimeoutConsumer{Checkout: a.Checkout, Log: log}).Handle, nil
}

// Handle expires the orders of a batch of timeout messages, reporting the
// messages to retry as batch item failures (after the queue's receive limit
// they go to its dead-letter queue). A redelivered message is harmless.
func (c *TimeoutConsumer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		log := c.Log.With("message_id", rec.MessageId)
		ctx := logging.With(ctx, log)
		var m checkout.TimeoutMessage
		dec := json.NewDecoder(strings.NewReader(rec.Body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m); err != nil || !id.Valid(id.Order, m.OrderID) {
			// It will never succeed: fail it so it reaches the dead-letter queue.
			log.Error("malformed payment-timeout message", "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		if err := c.Checkout.HandleTimeout(ctx, m); err != nil {
			log.Error("payment timeout", "order_id", m.OrderID, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

// SweepLimit bounds one sweep run.
const SweepLimit = 1000

// NewSweep builds the scheduled sweep of expired reservations from the environment.
func NewSweep(ctx context.Context) (func(context.Context, json.RawMessage) (checkout.SweepResult, error), error) {
	a, log, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ json.RawMessage) (checkout.SweepResult, error) {
		ctx = logging.With(ctx, log)
		res, err := a.Checkout.Sweep(ctx, SweepLimit)
		log.Info("sweep", "found", res.Found, "expired", res.Expired, "failed", res.Failed)
		if err == nil && res.Failed > 0 {
			err = fmt.Errorf("sweep: %d orders failed to expire", res.Failed)
		}
		return res, err
	}, nil
}

// NewListOrders builds the GET /orders handler from the environment.
func NewListOrders(ctx context.Context) (apigw.Handler, error) {
	a, log, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(log, a.List), nil
}

// List answers GET /orders?limit=N&cursor=C: the caller's orders, newest
// first, a page at a time.
func (a *API) List(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	customer, err := apigw.Subject(req)
	if err != nil {
		return apigw.Response{}, err
	}
	limit := 20
	if v, ok := req.QueryStringParameters["limit"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return apigw.Response{}, problem.Field("limit", fmt.Sprintf("limit must be a whole number from 1 to %d", orderdb.MaxPage))
		}
		limit = n
	}
	page, err := a.Checkout.List(ctx, customer, req.QueryStringParameters["cursor"], limit)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, page)
}

// NewRetryRefunds builds the scheduled job that submits again refunds the
// payment provider never answered.
func NewRetryRefunds(ctx context.Context) (func(context.Context, json.RawMessage) (int, error), error) {
	a, log, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ json.RawMessage) (int, error) {
		ctx = logging.With(ctx, log)
		n, err := a.Checkout.RetryRefunds(ctx, 5*time.Minute, 200)
		late, lerr := a.Checkout.AwaitingOverAnHour(ctx, 1000)
		if lerr == nil {
			a.Checkout.Metrics.Add("RefundsPendingOverAnHour", float64(late), metrics.Count, nil)
		}
		log.Info("refund retry", "settled", n, "awaiting_over_an_hour", late, "error", err)
		return n, err
	}, nil
}

// NewCancelUncollected builds the scheduled cancellation of pickup orders
// not collected by their collect-by time (refunded, stock back at the store).
func NewCancelUncollected(ctx context.Context) (func(context.Context, json.RawMessage) (int, error), error) {
	return dueJob(ctx, (*checkout.Service).CancelUncollected, "PickupsUncollected", "uncollected pickups cancelled")
}

// NewMarkNoShows builds the scheduled sweep of bookings whose slot ended
// without a check-in (marked once; refunded the part the store's policy says).
func NewMarkNoShows(ctx context.Context) (func(context.Context, json.RawMessage) (int, error), error) {
	return dueJob(ctx, (*checkout.Service).MarkNoShows, "BookingNoShows", "no-shows marked")
}

// NewCompleteOrders builds the scheduled close of return windows: orders
// handed over a return window ago become COMPLETED (or PARTIALLY_REFUNDED).
func NewCompleteOrders(ctx context.Context) (func(context.Context, json.RawMessage) (int, error), error) {
	return dueJob(ctx, (*checkout.Service).CompleteOrders, "OrdersCompleted", "return windows closed")
}

// dueJob builds a scheduled job that runs one of checkout's due-work
// sweeps over at most 200 orders, counting what it did in metric.
func dueJob(ctx context.Context, run func(*checkout.Service, context.Context, int) (int, error), metric, msg string) (func(context.Context, json.RawMessage) (int, error), error) {
	a, log, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ json.RawMessage) (int, error) {
		ctx = logging.With(ctx, log)
		n, err := run(a.Checkout, ctx, 200)
		a.Checkout.Metrics.Add(metric, float64(n), metrics.Count, nil)
		log.Info(msg, "orders", n, "error", err)
		return n, err
	}, nil
}
