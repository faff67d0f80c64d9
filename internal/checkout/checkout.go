// Package checkout places orders, reserving stock and store slots so they
// are never oversold, holds them for payment, and releases them exactly once
// when the order is cancelled or its payment hold expires.
//
// Placing an order is one TransactWriteItems across the Catalog and Orders
// tables: every line's stock decrement under `available >= qty`, the slot's
// `booked < capacity`, the order under attribute_not_exists, the
// reservation, and the idempotency record. Every later status change is a
// conditional write on the expected status and version.
package checkout

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
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
	// OrderEventsQueueURL receives the outbox's domain events (OrderPaid);
	// only the functions that relay them need it.
	OrderEventsQueueURL string        `env:"JIAOYI_QUEUE_ORDER_EVENTS"`
	Hold                time.Duration `env:"JIAOYI_PAYMENT_HOLD" envDefault:"15m"`
	// PSP selects the payment provider.
	PSP      psp.Config
	LogLevel string `env:"LOG_LEVEL" envDefault:"info"`
}

// Validate checks values the env tags cannot.
func (c Config) Validate() error {
	if c.Hold < time.Second || c.Hold > 7*24*time.Hour {
		return fmt.Errorf("config: JIAOYI_PAYMENT_HOLD %s is outside 1s..168h", c.Hold)
	}
	return nil
}

// DynamoDB is the subset of the client checkout calls.
type DynamoDB interface {
	catalog.DynamoDB
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Queue sends the delayed payment-timeout messages.
type Queue interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// Service is checkout.
type Service struct {
	db              DynamoDB
	catalog         *catalog.Repository
	ordersTable     string
	catalogTable    string
	payments        payment.Provider
	queue           Queue
	timeoutQueueURL string
	// orderEventsQueueURL receives relayed outbox events.
	orderEventsQueueURL string
	// Hold is how long stock and slot are held for payment.
	Hold time.Duration
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Metrics receives business metrics (nil: none).
	Metrics *metrics.Recorder
}

// New returns a checkout Service.
func New(db DynamoDB, cfg Config, payments payment.Provider, queue Queue) *Service {
	return &Service{
		db: db, catalog: catalog.NewRepository(db, cfg.CatalogTable),
		ordersTable: cfg.OrdersTable, catalogTable: cfg.CatalogTable,
		payments: payments, queue: queue, timeoutQueueURL: cfg.TimeoutQueueURL, orderEventsQueueURL: cfg.OrderEventsQueueURL,
		Hold: cfg.Hold, Now: time.Now,
	}
}

// Errors callers branch on.
var (
	ErrOrderNotFound = problem.New(problem.NotFound, "order not found")
	ErrOutOfStock    = problem.New(problem.Conflict, "not enough stock for some lines")
	ErrSlotFull      = problem.New(problem.Conflict, "the booked slot is full")
	// ErrNotDue means an expiry arrived before the hold ends.
	ErrNotDue = errors.New("checkout: hold has not expired yet")
	// ErrPaymentCaptured means the provider already took the money, so the
	// order is not released; the payment saga marks it paid.
	ErrPaymentCaptured = problem.New(problem.Conflict, "the payment for this order has already been captured")
	// ErrBusy means the write kept conflicting with others; retry.
	ErrBusy = problem.New(problem.Unavailable, "the order is busy; retry shortly")
)

// transact runs a transaction, retrying TransactionConflict cancellations
// (concurrent transactions on the same items) and throttling with jittered
// backoff. The emulator never produces these, so tests inject them.
func (s *Service) transact(ctx context.Context, items []types.TransactWriteItem) error {
	const attempts = 6
	var err error
	for attempt := range attempts {
		if attempt > 0 {
			d := time.Duration(rand.Int64N(int64(25*time.Millisecond) << attempt))
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
			TransactItems:          items,
			ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
		})
		if err == nil || !retryable(err) {
			return err
		}
	}
	return fmt.Errorf("%w: %w", ErrBusy, err)
}

// retryable reports whether a transaction failed only through contention:
// a conflict with another transaction, or throttling, but no failed
// condition.
func retryable(err error) bool {
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		conflict := false
		for _, r := range tce.CancellationReasons {
			switch code(r) {
			case "ConditionalCheckFailed", "ValidationError", "ItemCollectionSizeLimitExceeded":
				return false
			case "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded":
				conflict = true
			}
		}
		return conflict
	}
	var tip *types.TransactionInProgressException
	return errors.As(err, &tip)
}

func code(r types.CancellationReason) string {
	if r.Code == nil {
		return ""
	}
	return *r.Code
}
