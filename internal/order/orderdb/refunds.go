package orderdb

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
)

type refundItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI2PK string `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK string `dynamodbav:"gsi2sk,omitempty"`
	order.Refund
}

func newRefundItem(r order.Refund) refundItem {
	it := refundItem{PK: "ORDER#" + r.OrderID, SK: skRefund + r.ID, Refund: r}
	if r.Status == order.RefundPending {
		it.GSI2PK, it.GSI2SK = RefundsPending, r.CreatedAt.UTC().Format(dynamo.TimeLayout)+"#"+r.ID
		if r.Submitted {
			it.GSI2PK = RefundsAwaiting
		}
	}
	return it
}

// Refund reads one of an order's refunds; ok is false if there is none.
func (s *Store) Refund(ctx context.Context, orderID, refundID string) (r order.Refund, ok bool, err error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.table, Key: Key(orderID, skRefund+refundID), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return order.Refund{}, false, fmt.Errorf("get refund %s: %w", refundID, err)
	}
	if out.Item == nil {
		return order.Refund{}, false, nil
	}
	var it refundItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return order.Refund{}, false, fmt.Errorf("decode refund %s: %w", refundID, err)
	}
	return it.Refund, true, nil
}

// NewRefund is the write that records a new refund (only if absent); a
// pending refund the provider does not have yet is indexed for the retry
// job.
func (s *Store) NewRefund(r order.Refund) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(newRefundItem(r))
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("encode refund: %w", err)
	}
	return dynamo.PutNew(s.table, item), nil
}

// ReplaceRefund is the write that stores r over the refund as it was
// (status from), so concurrent news about one refund apply once.
func (s *Store) ReplaceRefund(r order.Refund, from order.RefundStatus, wasSubmitted bool) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(newRefundItem(r))
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("encode refund: %w", err)
	}
	cond, err := expression.NewBuilder().WithCondition(
		expression.Name("status").Equal(expression.Value(from)).
			And(expression.Name("submitted").Equal(expression.Value(wasSubmitted)))).Build()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &s.table, Item: item, ConditionExpression: cond.Condition(),
		ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
	}}, nil
}

// PendingRefunds returns refunds created before before (a dynamo.TimeLayout
// time) that the provider does not have yet, oldest first, at most limit.
func (s *Store) PendingRefunds(ctx context.Context, before string, limit int) ([]order.Refund, error) {
	items, err := dynamo.Due(ctx, s.db, s.table, DueIndex, RefundsPending, before, limit)
	if err != nil {
		return nil, fmt.Errorf("pending refunds: %w", err)
	}
	out := make([]order.Refund, 0, len(items))
	for _, it := range items {
		var r refundItem
		if err := attributevalue.UnmarshalMap(it, &r); err != nil {
			return nil, err
		}
		out = append(out, r.Refund)
	}
	return out, nil
}

// AwaitingRefunds counts refunds created before before that the provider
// has and has not yet confirmed or refused, up to limit.
func (s *Store) AwaitingRefunds(ctx context.Context, before string, limit int) (int, error) {
	items, err := dynamo.Due(ctx, s.db, s.table, DueIndex, RefundsAwaiting, before, limit)
	return len(items), err
}

// Expiring returns the held reservations of one expiry shard whose hold
// ended before before, at most limit.
func (s *Store) Expiring(ctx context.Context, shard int, before string, limit int) ([]Reservation, error) {
	items, err := dynamo.Due(ctx, s.db, s.table, DueIndex, ExpiryShard(shard), before, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Reservation, 0, len(items))
	for _, it := range items {
		var r Reservation
		if err := attributevalue.UnmarshalMap(it, &r); err != nil {
			return nil, fmt.Errorf("decode reservation: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}
