// Package checkout is the order's life from placing to payment: placing an
// order reserves stock and store slot in one transaction and holds them
// for payment; cancelling or the hold's expiry releases them exactly once;
// the payment saga applies the provider's events (paid, failed, late
// payments refunded); refunds are reserved, asked of the provider and
// settled by its word. Every change goes through the Orders table's one
// update path (internal/order/orderdb), and every event leaves through the
// outbox (internal/outbox).
package checkout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/psp"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Config is what the checkout functions read from the environment.
type Config struct {
	CatalogTable    string `env:"JIAOYI_TABLE_CATALOG,required,notEmpty"`
	OrdersTable     string `env:"JIAOYI_TABLE_ORDERS,required,notEmpty"`
	PaymentsTable   string `env:"JIAOYI_TABLE_PAYMENTS,required,notEmpty"`
	TimeoutQueueURL string `env:"JIAOYI_QUEUE_PAYMENT_TIMEOUTS,required,notEmpty"`
	// EventsTopicARN receives the outbox's domain events.
	EventsTopicARN string        `env:"JIAOYI_TOPIC_EVENTS"`
	Hold           time.Duration `env:"JIAOYI_PAYMENT_HOLD" envDefault:"15m"`
	// MaxUnpaidOrders and MaxHeldUnits cap what one shopper may hold
	// unpaid at once (429 beyond).
	MaxUnpaidOrders int64 `env:"JIAOYI_MAX_UNPAID_ORDERS" envDefault:"3"`
	MaxHeldUnits    int64 `env:"JIAOYI_MAX_HELD_UNITS" envDefault:"50"`
	// AnalyticsTable holds risk control's counters, rules and block lists;
	// functions that place orders or apply payments have it, and without
	// it no risk control runs.
	AnalyticsTable string `env:"JIAOYI_TABLE_ANALYTICS"`
	// RiskModel is the risk model's JSON at s3://bucket/key; empty: the
	// embedded demo model (internal/risk/model/default.json).
	RiskModel string `env:"JIAOYI_RISK_MODEL"`
	// CatalogCache is how long a warm function keeps the products, stores
	// and locations it read (prices, stock and slots are always read
	// fresh); 0 reads them every time.
	CatalogCache time.Duration `env:"JIAOYI_CATALOG_CACHE" envDefault:"5s"`
	// PSP selects the payment provider.
	PSP      psp.Config
	LogLevel string `env:"LOG_LEVEL" envDefault:"info"`
}

// Validate checks values the env tags cannot.
func (c Config) Validate() error {
	if c.CatalogCache < 0 || c.CatalogCache > time.Minute {
		return fmt.Errorf("config: JIAOYI_CATALOG_CACHE %s is outside 0..1m", c.CatalogCache)
	}
	if c.Hold < time.Second || c.Hold > 7*24*time.Hour {
		return fmt.Errorf("config: JIAOYI_PAYMENT_HOLD %s is outside 1s..168h", c.Hold)
	}
	if c.MaxUnpaidOrders < 1 || c.MaxHeldUnits < 1 {
		return fmt.Errorf("config: JIAOYI_MAX_UNPAID_ORDERS and JIAOYI_MAX_HELD_UNITS must be at least 1")
	}
	return nil
}

// DynamoDB is the subset of the client checkout calls.
type DynamoDB interface {
	catalog.DynamoDB
	orderdb.DynamoDB
	outbox.DynamoDB
}

// Queue sends the delayed payment-timeout messages.
type Queue interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// catalogLookup reads products, stores, slots and locations: the
// repository, or its cache.
type catalogLookup interface {
	Lookup(ctx context.Context, k catalog.Keys) (catalog.Found, error)
}

// Service is checkout.
type Service struct {
	db              DynamoDB
	catalog         *catalog.Repository
	lookup          catalogLookup
	orders          *orderdb.Store
	catalogTable    string
	payments        payment.Provider
	queue           Queue
	timeoutQueueURL string
	relay           *outbox.Relay
	holds           orderdb.Holds
	// Hold is how long stock and slot are held for payment.
	Hold time.Duration
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Risk decides each order before it is placed and counts failed
	// payments (nil: every order is allowed).
	Risk RiskAssessor
	// Metrics receives business metrics (nil: none).
	Metrics *metrics.Recorder
	// AfterCommit bounds the work a request owes once its transaction has
	// committed (sending the timeout, the events), which runs even if the
	// caller has gone.
	AfterCommit time.Duration
	// ReturnWindow is how long after handover a shopper may return goods
	// (DefaultReturnWindow if 0).
	ReturnWindow time.Duration
}

// New returns a checkout Service; events go to the topic through publisher.
func New(db DynamoDB, cfg Config, payments payment.Provider, queue Queue, publisher outbox.Publisher) *Service {
	s := &Service{
		db: db, catalog: catalog.NewRepository(db, cfg.CatalogTable), orders: orderdb.New(db, cfg.OrdersTable),
		catalogTable: cfg.CatalogTable, payments: payments, queue: queue, timeoutQueueURL: cfg.TimeoutQueueURL,
		relay: &outbox.Relay{DB: db, Table: cfg.OrdersTable, SNS: publisher, TopicARN: cfg.EventsTopicARN, IndexName: orderdb.DueIndex},
		holds: orderdb.Holds{Orders: cfg.MaxUnpaidOrders, Units: cfg.MaxHeldUnits},
		Hold:  cfg.Hold, Now: time.Now, AfterCommit: 10 * time.Second,
	}
	s.lookup = s.catalog
	if cfg.CatalogCache > 0 {
		s.lookup = catalog.NewCache(s.catalog, 4096, cfg.CatalogCache)
	}
	if s.holds.Orders == 0 {
		s.holds = orderdb.Holds{Orders: 3, Units: 50}
	}
	s.orders.Now = func() time.Time { return s.Now() }
	return s
}

// Orders is the Orders table's store, for handlers that read orders.
func (s *Service) Orders() *orderdb.Store { return s.orders }

// Errors callers branch on.
var (
	ErrOrderNotFound = orderdb.ErrNotFound
	ErrOutOfStock    = order.ErrOutOfStock
	ErrSlotFull      = order.ErrSlotFull
	// ErrNotDue means an expiry arrived before the hold ends.
	ErrNotDue = errors.New("checkout: hold has not expired yet")
	// ErrPaymentCaptured means the provider already took the money, so the
	// order is not released; the payment saga marks it paid.
	ErrPaymentCaptured = problem.New(problem.Conflict, "the payment for this order has already been captured")
	// ErrBusy means the write kept conflicting with others; retry.
	ErrBusy = dynamo.ErrBusy
	// ErrTooManyHolds is a shopper over the unpaid-order or held-unit cap.
	ErrTooManyHolds = problem.New(problem.TooManyRequests, "too many unpaid orders: pay or cancel one first")
)

// ShortLine says how much of a line's SKU is left.
type ShortLine = order.ShortLine

// FullSlot says how full a slot is.
type FullSlot = order.FullSlot

// Order returns customerID's order with its refunds; another customer's
// order is ErrOrderNotFound.
func (s *Service) Order(ctx context.Context, customerID, orderID string) (order.Order, error) {
	o, err := s.orders.GetWithRefunds(ctx, orderID)
	if err != nil {
		return order.Order{}, err
	}
	if o.CustomerID != customerID {
		return order.Order{}, fmt.Errorf("order %s: %w", orderID, ErrOrderNotFound)
	}
	return o, nil
}

// Lookup returns any customer's order with its refunds, for merchants'
// and operators' routes, which scope it themselves.
func (s *Service) Lookup(ctx context.Context, orderID string) (order.Order, error) {
	return s.orders.GetWithRefunds(ctx, orderID)
}

// Orders returns a page of customerID's orders, newest first.
func (s *Service) List(ctx context.Context, customerID, cursor string, limit int) (orderdb.OrderPage, error) {
	return s.orders.List(ctx, customerID, cursor, limit)
}

// afterCommit is the context for what a request owes once its
// transaction committed: not cancelled when the caller leaves, bounded by
// its own deadline.
func (s *Service) afterCommit(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), s.AfterCommit)
}

// committing is the context a transaction is sent on: a caller that goes
// away does not cancel it (that would leave its outcome unknown), but the
// function's own deadline still bounds it.
func committing(ctx context.Context) (context.Context, context.CancelFunc) {
	detached := context.WithoutCancel(ctx)
	if d, ok := ctx.Deadline(); ok {
		return context.WithDeadline(detached, d)
	}
	return detached, func() {}
}
