package dynamo

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Limits of DynamoDB's batch operations.
const (
	MaxBatchGet   = 100
	MaxBatchWrite = 25
)

// BatchGetter reads items in batches.
type BatchGetter interface {
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// BatchWriter writes items in batches.
type BatchWriter interface {
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// BatchGet reads the items of keys that exist (any number of keys, in
// batches of 100), retrying unprocessed keys with backoff.
func BatchGet(ctx context.Context, db BatchGetter, table string, keys []map[string]types.AttributeValue, consistent bool) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	for start := 0; start < len(keys); start += MaxBatchGet {
		req := map[string]types.KeysAndAttributes{table: {Keys: keys[start:min(start+MaxBatchGet, len(keys))], ConsistentRead: aws.Bool(consistent)}}
		for attempt := 0; len(req) > 0; attempt++ {
			if attempt > 8 {
				return nil, errors.New("batch get: unprocessed keys after retries")
			}
			if err := pause(ctx, attempt); err != nil {
				return nil, err
			}
			out, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, err
			}
			items = append(items, out.Responses[table]...)
			req = out.UnprocessedKeys
		}
	}
	return items, nil
}

// BatchWrite applies reqs (any number, in batches of 25), retrying
// unprocessed ones with backoff.
func BatchWrite(ctx context.Context, db BatchWriter, table string, reqs []types.WriteRequest) error {
	for start := 0; start < len(reqs); start += MaxBatchWrite {
		pending := map[string][]types.WriteRequest{table: reqs[start:min(start+MaxBatchWrite, len(reqs))]}
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt > 8 {
				return errors.New("batch write: unprocessed items after retries")
			}
			if err := pause(ctx, attempt); err != nil {
				return err
			}
			out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return err
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}

// PutAll puts items (overwriting) in batches.
func PutAll(ctx context.Context, db BatchWriter, table string, items []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(items))
	for i, it := range items {
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
	}
	return BatchWrite(ctx, db, table, reqs)
}

// pause waits before a retry: nothing before the first attempt, then
// 40 ms doubling up to about 1.3 s.
func pause(ctx context.Context, attempt int) error {
	if attempt == 0 {
		return nil
	}
	t := time.NewTimer(20 * time.Millisecond << min(attempt, 6))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
