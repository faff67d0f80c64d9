package checkout_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// conflicts makes the first n TransactWriteItems calls fail the way DynamoDB
// answers contention (TransactionCanceledException: TransactionConflict),
// which the emulator never does. It sits in the SDK's middleware stack, so
// everything else is the real client against the emulator.
func conflicts(n int64, calls *atomic.Int64) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("inject-conflict",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if awsmw.GetOperationName(ctx) == "TransactWriteItems" && calls.Add(1) <= n {
						return middleware.InitializeOutput{}, middleware.Metadata{}, &types.TransactionCanceledException{
							Message:             aws.String("Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]"),
							CancellationReasons: []types.CancellationReason{{Code: aws.String("TransactionConflict")}},
						}
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.Before)
		})
	}
}

func TestTransactionConflictsAreRetried(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	var calls atomic.Int64
	db := dynamodb.NewFromConfig(awstest.Config(t), conflicts(2, &calls))
	svc := checkout.New(db, e.cfg, e.payments, e.queue, e.events)
	svc.Now = e.clock.Now

	o, err := svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 3}}, Fulfilment: shipTo()}, nil)
	if err != nil {
		t.Fatalf("place with 2 injected conflicts: %v", err)
	}
	if calls.Load() != 3 {
		t.Errorf("%d transaction calls, want 3 (2 conflicts, 1 commit)", calls.Load())
	}
	if got := e.available(t, e.skus[0]); got != 7 {
		t.Errorf("stock = %d, want 7 (decremented once)", got)
	}

	// Conflicts that never stop: the caller gets a retryable 503, nothing written.
	calls.Store(0)
	stuck := checkout.New(dynamodb.NewFromConfig(awstest.Config(t), conflicts(1000, &calls)), e.cfg, e.payments, e.queue, e.events)
	stuck.Now = e.clock.Now
	if _, err := stuck.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 1}}, Fulfilment: shipTo()}, nil); !errors.Is(err, checkout.ErrBusy) {
		t.Errorf("endless conflicts err = %v, want ErrBusy", err)
	}
	if got := e.available(t, e.skus[0]); got != 7 {
		t.Errorf("stock = %d after a failed placement, want 7", got)
	}
	// The release path retries too.
	calls.Store(0)
	e.clock.Advance(time.Hour)
	flaky := checkout.New(dynamodb.NewFromConfig(awstest.Config(t), conflicts(2, &calls)), e.cfg, e.payments, e.queue, e.events)
	flaky.Now = e.clock.Now
	if _, err := flaky.Expire(ctx, o.ID); err != nil {
		t.Fatalf("expire with conflicts: %v", err)
	}
	if got := e.available(t, e.skus[0]); got != 10 {
		t.Errorf("stock = %d, want 10", got)
	}
}

// A crash (or an SQS outage) between the commit and the timeout message:
// the order stands, and the sweep expires it when its hold ends.
func TestLostTimeoutMessageIsCaughtBySweep(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	cfg := e.cfg
	cfg.TimeoutQueueURL = cfg.TimeoutQueueURL + "-missing" // every send fails
	svc := checkout.New(e.db, cfg, e.payments, e.queue, e.events)
	svc.Now = e.clock.Now
	o, err := svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: e.skus[0], Quantity: 2}}, Fulfilment: shipTo()}, nil)
	if err != nil {
		t.Fatalf("a failed timeout send must not fail the placed order: %v", err)
	}
	if got := e.available(t, e.skus[0]); got != 8 {
		t.Fatalf("stock = %d, want 8", got)
	}
	e.clock.Advance(16 * time.Minute)
	res, err := svc.Sweep(ctx, 100)
	if err != nil || res.Expired != 1 {
		t.Fatalf("sweep = %+v, %v", res, err)
	}
	got, _ := svc.Order(ctx, "alice", o.ID)
	if got.Status != order.Expired || e.available(t, e.skus[0]) != 10 {
		t.Errorf("after sweep: %s, stock %d; want EXPIRED and 10", got.Status, e.available(t, e.skus[0]))
	}
}
