package checkout

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
)

// CompleteOrders closes the return window of orders handed over at least
// the return window ago, at most limit: each delivered or picked-up one
// becomes COMPLETED (PARTIALLY_REFUNDED if part of it was refunded), once,
// and leaves the due index in the same transaction. An order refunded or
// already closed only leaves the index. It returns how many it closed.
func (s *Service) CompleteOrders(ctx context.Context, limit int) (int, error) {
	return s.eachDue(ctx, orderdb.HandoverPartition, s.Now().Add(-s.returnWindow()), limit, "complete order", s.completeOrder)
}

func (s *Service) completeOrder(ctx context.Context, orderID string) (bool, error) {
	done := types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.orders.Table()), Key: orderdb.DueKey(orderdb.HandoverPartition, orderID)}}
	closed := false
	_, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		changed, err := o.Complete(s.Now().UTC(), s.returnWindow())
		if closed = changed; err != nil || !changed {
			return nil, orderdb.ErrUnchanged
		}
		return []types.TransactWriteItem{done}, nil
	})
	if err != nil || closed {
		return closed, err
	}
	// Nothing to close (refunded, already closed): the due item only goes.
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{done}})
	return false, err
}

func (s *Service) returnWindow() time.Duration {
	if s.ReturnWindow > 0 {
		return s.ReturnWindow
	}
	return DefaultReturnWindow
}

// eachDue runs fn on the orders of a due-work partition whose time is at
// or before upTo, at most limit, in time order. A failure is logged (as
// what) and the next order taken: its due item stays for the next run. It
// returns how many fn reported done.
func (s *Service) eachDue(ctx context.Context, partition string, upTo time.Time, limit int, what string, fn func(context.Context, string) (bool, error)) (int, error) {
	due, err := dynamo.Due(ctx, s.db, s.orders.Table(), orderdb.DueIndex, partition, upTo.UTC().Format(dynamo.TimeLayout), limit)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	n := 0
	for _, item := range due {
		orderID, _ := item["orderId"].(*types.AttributeValueMemberS)
		if orderID == nil {
			continue
		}
		done, err := fn(ctx, orderID.Value)
		if err != nil {
			logging.From(ctx).Error(what, "order_id", orderID.Value, "error", err)
			continue
		}
		if done {
			n++
		}
	}
	return n, nil
}
