// Package dynamo holds the DynamoDB mechanics every table adapter shares:
// transactions retried on contention with jittered backoff, reading why a
// transaction was cancelled, conditional updates built with the expression
// builder, and the paginated query of a "due work" index partition.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Transactor runs transactions.
type Transactor interface {
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Querier runs queries.
type Querier interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// ErrBusy means a write kept conflicting with others; the caller may retry.
var ErrBusy = problem.New(problem.Unavailable, "the resource is busy; retry shortly")

// TimeLayout sorts lexically in time order; index sort keys use it.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// Transact runs a transaction, retrying cancellations caused only by
// contention (TransactionConflict with another transaction, throttling)
// with jittered exponential backoff. A failed condition is returned at
// once: read it with Failed. The emulator never produces contention, so
// tests inject it.
func Transact(ctx context.Context, db Transactor, items []types.TransactWriteItem) error {
	return TransactTries(ctx, db, items, 6, 25*time.Millisecond)
}

// TransactTries is Transact with its own number of attempts (at least one)
// and backoff base (the n-th retry waits up to base·2ⁿ).
func TransactTries(ctx context.Context, db Transactor, items []types.TransactWriteItem, attempts int, base time.Duration) error {
	attempts = max(1, attempts)
	var err error
	for attempt := range attempts {
		if attempt > 0 {
			d := time.Duration(rand.Int64N(int64(base) << attempt))
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
			TransactItems:          items,
			ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
		})
		if err == nil || !retryable(err) {
			return err
		}
	}
	return fmt.Errorf("%w: %w", ErrBusy, err)
}

// retryable reports whether a transaction failed only through contention.
func retryable(err error) bool {
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		conflict := false
		for _, r := range tce.CancellationReasons {
			switch Code(r) {
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

// Code is a cancellation reason's code ("" if none).
func Code(r types.CancellationReason) string {
	if r.Code == nil {
		return ""
	}
	return *r.Code
}

// Failed returns, for a transaction cancelled by failed conditions, the
// positions of the items whose condition failed with each one's current
// item (when the write asked for ALL_OLD), and ok = true. Any other error
// gives ok = false.
func Failed(err error) (failed map[int]map[string]types.AttributeValue, ok bool) {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil, false
	}
	failed = map[int]map[string]types.AttributeValue{}
	for i, r := range tce.CancellationReasons {
		if Code(r) == "ConditionalCheckFailed" {
			failed[i] = r.Item
		}
	}
	return failed, len(failed) > 0
}

// Update builds a transactional conditional update with the expression
// builder, which also aliases reserved words (capacity, status, …).
// returnOld asks for the current item when the condition fails.
func Update(table string, key map[string]types.AttributeValue, upd expression.UpdateBuilder, cond expression.ConditionBuilder, returnOld bool) (types.TransactWriteItem, error) {
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("build expression: %w", err)
	}
	u := &types.Update{
		TableName:                 &table,
		Key:                       key,
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}
	if returnOld {
		u.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	return types.TransactWriteItem{Update: u}, nil
}

// PutNew is a transactional put of item that fails if the key exists.
func PutNew(table string, item map[string]types.AttributeValue) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{TableName: &table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}}
}

// Key is the generic (pk, sk) key every jiaoyi table uses.
func Key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": S(pk), "sk": S(sk)}
}

// S is a string attribute value.
func S(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// Num reads a number attribute (0 if absent or not a number).
func Num(item map[string]types.AttributeValue, name string) int64 {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.ParseInt(v.Value, 10, 64)
		return n
	}
	return 0
}

// Due reads up to limit items of one partition of a "due work" index
// whose sort key is below before ("" for all), oldest first. Background
// jobs keep what they must still do in such a partition, and each item
// leaves the index when done.
func Due(ctx context.Context, db dynamodb.QueryAPIClient, table, index, partition, before string, limit int) ([]map[string]types.AttributeValue, error) {
	pkName, skName := index+"pk", index+"sk"
	cond := pkName + " = :p"
	values := map[string]types.AttributeValue{":p": S(partition)}
	if before != "" {
		cond += " AND " + skName + " < :b"
		values[":b"] = S(before)
	}
	var items []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName: &table, IndexName: aws.String(index),
		KeyConditionExpression: aws.String(cond), ExpressionAttributeValues: values,
		Limit: aws.Int32(int32(min(max(limit, 1), 100))),
	})
	for p.HasMorePages() && len(items) < limit {
		page, err := p.NextPage(ctx)
		if err != nil {
			return items, fmt.Errorf("query %s: %w", partition, err)
		}
		items = append(items, page.Items...)
	}
	return items[:min(len(items), limit)], nil
}
