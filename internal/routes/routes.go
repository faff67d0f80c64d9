// Package routes is the one table of jiaoyi's HTTP routes and consumers:
// metadata only (method, path, function folder, roles, memory, timeout,
// tables, queues and topics), so the CDK app deploys it without linking
// any handler code. The local runner (`make run`) serves it with the
// constructors internal/dev/devserver registers, and each function's
// main.go starts its own through internal/lambdafn.
package routes

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
)

// Who may call a route: nil is public (no token; webhooks authenticate by
// signature); otherwise a valid token whose role is listed.
var (
	Public   []access.Role
	Shoppers = []access.Role{access.Shopper}
	Merchant = []access.Role{access.Merchant}
	Ops      = []access.Role{access.Ops}
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

// BucketAccess grants a function access to a bucket.
type BucketAccess struct {
	Bucket resource.Bucket
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
	// Roles may call the route (nil: public).
	Roles    []access.Role
	MemoryMB int
	Timeout  time.Duration
	Tables   []TableAccess
	// Sends lists the queues the function sends to.
	Sends []resource.Queue
	// Publishes lists the topics the function publishes to (its outbox
	// events, sent right after their commit).
	Publishes []resource.Topic
	// Buckets are the S3 buckets the function reads or writes.
	Buckets []BucketAccess
}

// Public reports whether the route needs no token.
func (r Route) Public() bool { return len(r.Roles) == 0 }

// Key is the API Gateway route key, "GET /products/{id}".
func (r Route) Key() string { return r.Method + " " + r.Path }

// All returns every route.
func All() []Route {
	events := []resource.Topic{resource.Events}
	return []Route{
		{
			// Search reads the index snapshot (S3, kept in /tmp) and the page's stock.
			Method: "GET", Path: "/products", Function: "search/search-products",
			Roles: Public, MemoryMB: 1024, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Catalog, Read}}, Buckets: searchSnapshots,
		},
		{
			Method: "GET", Path: "/products/suggest", Function: "search/suggest-products",
			Roles: Public, MemoryMB: 1024, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Catalog, Read}}, Buckets: searchSnapshots,
		},
		{
			Method: "GET", Path: "/products/{id}/similar", Function: "search/similar-products",
			Roles: Public, MemoryMB: 1024, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Catalog, Read}}, Buckets: searchSnapshots,
		},
		{
			Method: "GET", Path: "/products/{id}", Function: "search/get-product",
			Roles: Public, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Catalog, Read}},
		},
		{
			Method: "GET", Path: "/stores/{id}/slots", Function: "search/list-slots",
			Roles: Public, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Catalog, Read}},
		},
		{
			Method: "GET", Path: "/products/{id}/also-bought", Function: "search/also-bought",
			Roles: Public, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Analytics, Read}, {resource.Catalog, Read}},
		},
		{
			Method: "GET", Path: "/me/recommendations", Function: "search/recommendations",
			Roles: Shoppers, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Analytics, Read}, {resource.Catalog, Read}},
		},
		{
			Method: "POST", Path: "/orders", Function: "checkout/place-order",
			Roles: Shoppers, MemoryMB: 512, Timeout: 15 * time.Second,
			Tables: riskTables, Sends: []resource.Queue{resource.PaymentTimeouts},
		},
		{
			Method: "GET", Path: "/orders", Function: "checkout/list-orders",
			Roles: Shoppers, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Orders, Read}},
		},
		{
			Method: "GET", Path: "/orders/{id}", Function: "checkout/get-order",
			Roles: Shoppers, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Orders, Read}},
		},
		{
			Method: "POST", Path: "/orders/{id}/cancel", Function: "checkout/cancel-order",
			Roles: Shoppers, MemoryMB: 256, Timeout: 15 * time.Second,
			Tables: checkoutTables, Publishes: events,
		},
		{
			Method: "POST", Path: "/orders/{id}/returns", Function: "checkout/request-return",
			Roles: Shoppers, MemoryMB: 256, Timeout: 15 * time.Second,
			Tables: []TableAccess{{resource.Orders, ReadWrite}},
		},
		{
			Method: "POST", Path: "/merchant/returns/{id}/approve", Function: "checkout/approve-return",
			Roles: Merchant, MemoryMB: 256, Timeout: 15 * time.Second,
			Tables: checkoutTables, Publishes: events,
		},
		{
			Method: "POST", Path: "/merchant/returns/{id}/reject", Function: "checkout/reject-return",
			Roles: Merchant, MemoryMB: 256, Timeout: 15 * time.Second,
			Tables: []TableAccess{{resource.Orders, ReadWrite}},
		},
		{
			Method: "POST", Path: "/merchant/returns/{id}/receive", Function: "checkout/receive-return",
			Roles: Merchant, MemoryMB: 256, Timeout: 15 * time.Second,
			Tables: []TableAccess{{resource.Orders, ReadWrite}, {resource.Catalog, ReadWrite}},
		},
		{
			Method: "GET", Path: "/merchant/orders/{id}", Function: "checkout/merchant-get-order",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Orders, Read}},
		},
		{
			Method: "POST", Path: "/merchant/orders/{id}/refunds", Function: "checkout/merchant-refund",
			Roles: Merchant, MemoryMB: 256, Timeout: 15 * time.Second,
			Tables: checkoutTables, Publishes: events,
		},
		{
			Method: "GET", Path: "/ops/orders/{id}", Function: "checkout/ops-get-order",
			Roles: Ops, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Orders, Read}},
		},
		{
			Method: "POST", Path: "/ops/orders/{id}/refunds", Function: "checkout/ops-refund",
			Roles: Ops, MemoryMB: 256, Timeout: 15 * time.Second,
			Tables: checkoutTables, Publishes: events,
		},
		{
			Method: "POST", Path: "/merchant/products", Function: "catalog/create-product",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Catalog, ReadWrite}},
		},
		{
			Method: "GET", Path: "/merchant/products", Function: "catalog/list-merchant-products",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Catalog, Read}},
		},
		{
			Method: "PATCH", Path: "/merchant/products/{id}", Function: "catalog/update-product",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Catalog, ReadWrite}},
		},
		{
			Method: "PATCH", Path: "/merchant/products/{id}/skus/{skuId}", Function: "catalog/update-sku",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Catalog, ReadWrite}},
		},
		{
			Method: "POST", Path: "/merchant/stock/adjustments", Function: "catalog/adjust-stock",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Catalog, ReadWrite}},
		},
		{
			Method: "POST", Path: "/merchant/orders/{id}/shipments", Function: "fulfilment/create-shipment",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Orders, ReadWrite}}, Publishes: events,
		},
		{
			Method: "POST", Path: "/merchant/orders/{id}/ready", Function: "fulfilment/ready-for-pickup",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Orders, ReadWrite}},
		},
		{
			Method: "POST", Path: "/merchant/stores/{id}/redemptions", Function: "fulfilment/redeem-pickup",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Orders, ReadWrite}, {resource.Catalog, Read}},
		},
		{
			Method: "POST", Path: "/merchant/stores/{id}/check-ins", Function: "fulfilment/check-in",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Orders, ReadWrite}, {resource.Catalog, Read}},
		},
		{
			// Public: the carrier's signature over the body is the authentication.
			Method: "POST", Path: "/webhooks/carrier/{carrier}", Function: "fulfilment/carrier-webhook",
			Roles: Public, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Orders, ReadWrite}}, Publishes: events,
		},
		{
			Method: "GET", Path: "/merchant/forecasts/{skuId}", Function: "forecast/get-forecast",
			Roles: Merchant, MemoryMB: 1024, Timeout: 15 * time.Second,
			Tables: []TableAccess{{resource.Analytics, Read}, {resource.Catalog, Read}},
		},
		{
			Method: "GET", Path: "/merchant/replenishment", Function: "forecast/list-replenishment",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Analytics, Read}, {resource.Catalog, Read}},
		},
		{
			Method: "PUT", Path: "/merchant/replenishment/policy", Function: "forecast/put-policy",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Analytics, ReadWrite}},
		},
		{
			Method: "GET", Path: "/merchant/replenishment/skus/{skuId}/terms", Function: "forecast/get-sku-terms",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Analytics, Read}, {resource.Catalog, Read}},
		},
		{
			Method: "PUT", Path: "/merchant/replenishment/skus/{skuId}/terms", Function: "forecast/put-sku-terms",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Analytics, ReadWrite}, {resource.Catalog, Read}},
		},
		{
			Method: "POST", Path: "/merchant/purchase-orders", Function: "forecast/create-purchase-order",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Analytics, ReadWrite}, {resource.Catalog, Read}},
		},
		{
			Method: "GET", Path: "/merchant/purchase-orders", Function: "forecast/list-purchase-orders",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Analytics, Read}},
		},
		{
			// The receipt moves stock in Catalog in one transaction with the order.
			Method: "POST", Path: "/merchant/purchase-orders/{id}/receive", Function: "forecast/receive-purchase-order",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Analytics, ReadWrite}, {resource.Catalog, ReadWrite}},
		},
		{
			Method: "POST", Path: "/merchant/purchase-orders/{id}/cancel", Function: "forecast/cancel-purchase-order",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Analytics, ReadWrite}},
		},
		{
			Method: "GET", Path: "/merchant/settlements", Function: "settle/list-settlements",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: settleTables,
		},
		{
			Method: "GET", Path: "/merchant/settlements/{date}", Function: "settle/get-settlement",
			Roles: Merchant, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: settleTables, Buckets: []BucketAccess{{resource.SettlementExports, Read}},
		},
		{
			Method: "GET", Path: "/ops/settlements", Function: "settle/ops-settlements",
			Roles: Ops, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: settleTables,
		},
		{
			Method: "POST", Path: "/ops/settlements/run", Function: "settle/run-settlement",
			Roles: Ops, MemoryMB: 512, Timeout: 29 * time.Second,
			Tables: settleTables, Buckets: settlementExports,
		},
		{
			Method: "POST", Path: "/ops/reconciliations", Function: "settle/run-reconciliation",
			Roles: Ops, MemoryMB: 512, Timeout: 29 * time.Second,
			Tables: settleTables,
		},
		{
			Method: "GET", Path: "/ops/reconciliations/{date}", Function: "settle/get-reconciliations",
			Roles: Ops, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: settleTables,
		},
		{
			Method: "GET", Path: "/ops/ledger/trial-balance", Function: "settle/trial-balance",
			Roles: Ops, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: settleTables,
		},
		{
			Method: "GET", Path: "/ops/reviews", Function: "risk/list-reviews",
			Roles: Ops, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Orders, Read}},
		},
		{
			Method: "POST", Path: "/ops/reviews/{id}/approve", Function: "risk/approve-review",
			Roles: Ops, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Orders, ReadWrite}},
		},
		{
			// Reject gives stock back and refunds through the provider.
			Method: "POST", Path: "/ops/reviews/{id}/reject", Function: "risk/reject-review",
			Roles: Ops, MemoryMB: 256, Timeout: 15 * time.Second,
			Tables: checkoutTables, Publishes: events,
		},
		{
			Method: "PUT", Path: "/ops/risk/rules/{scope}", Function: "risk/put-rules",
			Roles: Ops, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Analytics, ReadWrite}},
		},
		{
			Method: "POST", Path: "/ops/risk/blocks", Function: "risk/add-block",
			Roles: Ops, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Analytics, ReadWrite}},
		},
		{
			// Public: the signature over the body is the authentication.
			Method: "POST", Path: "/webhooks/{provider}", Function: "pay-webhook/receive-webhook",
			Roles: Public, MemoryMB: 256, Timeout: 10 * time.Second,
			Tables: []TableAccess{{resource.Payments, ReadWrite}}, Sends: []resource.Queue{resource.PaymentEvents},
		},
	}
}

// ByFunction returns the route served by function fn.
func ByFunction(fn string) (Route, bool) {
	for _, r := range All() {
		if r.Function == fn {
			return r, true
		}
	}
	return Route{}, false
}

// ConsumerByFunction returns the consumer run by function fn.
func ConsumerByFunction(fn string) (Consumer, bool) {
	for _, c := range Consumers() {
		if c.Function == fn {
			return c, true
		}
	}
	return Consumer{}, false
}

// checkoutTables is what placing and releasing orders touches: stock and
// slots in Catalog, orders in Orders, the sandbox provider's intents in
// Payments.
var checkoutTables = []TableAccess{{resource.Catalog, ReadWrite}, {resource.Orders, ReadWrite}, {resource.Payments, ReadWrite}}

// searchSnapshots is the search functions' read of the index snapshots.
var searchSnapshots = []BucketAccess{{resource.SearchSnapshots, Read}}

// settlementExports is what the functions that close batches need: they
// write each statement's CSV.
var settlementExports = []BucketAccess{{resource.SettlementExports, ReadWrite}}

// settleTables is what settlement touches: the ledger (with its batches
// and runs), merchants' fee schedules and calendars in Catalog, and the
// sandbox provider's settlement reports in Payments.
var settleTables = []TableAccess{{resource.Ledger, ReadWrite}, {resource.Catalog, Read}, {resource.Payments, Read}}

// riskTables add risk control's counters, rules and block lists (in
// Analytics) for the functions that place orders and count failed
// payments.
var riskTables = append(append([]TableAccess{}, checkoutTables...), TableAccess{resource.Analytics, ReadWrite})

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
	Every time.Duration
	// Stream feeds the consumer with the table's DynamoDB stream, up to
	// BatchSize records gathered for at most Window (a debounce); `make
	// run`, which has no streams, calls it every Window instead.
	Stream    *resource.Table
	Window    time.Duration
	MemoryMB  int
	Timeout   time.Duration
	Tables    []TableAccess
	Sends     []resource.Queue
	Publishes []resource.Topic
	Buckets   []BucketAccess
}

// Consumers returns every queue and schedule consumer.
func Consumers() []Consumer {
	events := []resource.Topic{resource.Events}
	return []Consumer{
		{
			Function: "checkout/payment-timeout", Queue: &resource.PaymentTimeouts, BatchSize: 10,
			MemoryMB: 256, Timeout: 30 * time.Second,
			Tables: checkoutTables, Sends: []resource.Queue{resource.PaymentTimeouts}, Publishes: events,
		},
		{
			Function: "pay-webhook/apply-payment-events", Queue: &resource.PaymentEvents, BatchSize: 10,
			MemoryMB: 256, Timeout: 30 * time.Second,
			Tables: riskTables, Publishes: events,
		},
		{
			Function: "pay-webhook/relay-outbox", Every: time.Minute,
			MemoryMB: 256, Timeout: 60 * time.Second,
			Tables: []TableAccess{{resource.Orders, ReadWrite}}, Publishes: events,
		},
		{
			// Debounced: a burst of catalog writes makes one rebuild.
			Function: "search/rebuild-index", Stream: &resource.Catalog, BatchSize: 1000, Window: 30 * time.Second,
			MemoryMB: 2048, Timeout: 5 * time.Minute,
			Tables: []TableAccess{{resource.Catalog, Read}, {resource.Analytics, Read}}, Buckets: []BucketAccess{{resource.SearchSnapshots, ReadWrite}},
		},
		{
			Function: "search/record-purchases", Queue: &resource.RecommendEvents, BatchSize: 10,
			MemoryMB: 256, Timeout: 30 * time.Second,
			Tables: []TableAccess{{resource.Analytics, ReadWrite}},
		},
		{
			Function: "search/refresh-recommendations", Every: 5 * time.Minute,
			MemoryMB: 512, Timeout: 2 * time.Minute,
			Tables: []TableAccess{{resource.Analytics, ReadWrite}},
		},
		{
			Function: "forecast/record-demand", Queue: &resource.ForecastEvents, BatchSize: 10,
			MemoryMB: 256, Timeout: 30 * time.Second,
			Tables: []TableAccess{{resource.Analytics, ReadWrite}},
		},
		{
			// Nightly: every merchant's SKUs in batches on forecast-jobs.
			Function: "forecast/plan-forecasts", Every: 24 * time.Hour,
			MemoryMB: 512, Timeout: 5 * time.Minute,
			Tables: []TableAccess{{resource.Analytics, ReadWrite}, {resource.Catalog, Read}},
			Sends:  []resource.Queue{resource.ForecastJobs},
		},
		{
			// One batch per call: forecasting is CPU-bound, and 1,769 MB is
			// one whole vCPU; batches run in parallel across calls.
			Function: "forecast/run-forecasts", Queue: &resource.ForecastJobs, BatchSize: 1,
			MemoryMB: 1769, Timeout: 5 * time.Minute,
			Tables: []TableAccess{{resource.Analytics, ReadWrite}, {resource.Catalog, Read}},
		},
		{
			Function: "settle/post-ledger", Queue: &resource.LedgerEvents, BatchSize: 10,
			MemoryMB: 256, Timeout: 30 * time.Second,
			Tables: settleTables,
		},
		{
			// Hourly: each merchant's day closes at its own cutoff and zone.
			Function: "settle/settle-daily", Every: time.Hour,
			MemoryMB: 512, Timeout: 5 * time.Minute,
			Tables: settleTables, Buckets: settlementExports,
		},
		{
			Function: "settle/reconcile-daily", Every: 24 * time.Hour,
			MemoryMB: 512, Timeout: 5 * time.Minute,
			Tables: settleTables,
		},
		{
			Function: "checkout/cancel-uncollected", Every: time.Hour,
			MemoryMB: 256, Timeout: 5 * time.Minute,
			Tables: checkoutTables, Publishes: events,
		},
		{
			Function: "checkout/complete-orders", Every: time.Hour,
			MemoryMB: 256, Timeout: 5 * time.Minute,
			Tables: checkoutTables,
		},
		{
			Function: "checkout/mark-no-shows", Every: 15 * time.Minute,
			MemoryMB: 256, Timeout: 5 * time.Minute,
			Tables: checkoutTables, Publishes: events,
		},
		{
			Function: "checkout/retry-refunds", Every: 5 * time.Minute,
			MemoryMB: 256, Timeout: 2 * time.Minute,
			Tables: checkoutTables, Publishes: events,
		},
		{
			Function: "checkout/sweep-reservations", Every: 5 * time.Minute,
			MemoryMB: 256, Timeout: 5 * time.Minute,
			Tables: checkoutTables, Publishes: events,
		},
	}
}
