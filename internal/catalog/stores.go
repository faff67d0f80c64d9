package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Store returns a store. Returns ErrStoreNotFound.
func (r *Repository) Store(ctx context.Context, storeID string) (Store, error) {
	out, err := r.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &r.table, Key: StoreKey(storeID)})
	if err != nil {
		return Store{}, fmt.Errorf("get store %s: %w", storeID, err)
	}
	if out.Item == nil {
		return Store{}, fmt.Errorf("store %s: %w", storeID, ErrStoreNotFound)
	}
	var s storeItem
	if err := attributevalue.UnmarshalMap(out.Item, &s); err != nil {
		return Store{}, fmt.Errorf("decode store %s: %w", storeID, err)
	}
	return s.Store, nil
}

// Slots returns a store's slots starting in [from, to), in start order, at
// most limit. The index is eventually consistent: a booking made a moment
// ago may not show yet; checkout's condition decides.
func (r *Repository) Slots(ctx context.Context, storeID string, from, to time.Time, limit int) ([]Slot, error) {
	keyCond := expression.Key("gsi1pk").Equal(expression.Value("STORE#" + storeID + "#SLOTS")).
		And(expression.Key("gsi1sk").Between(expression.Value(from.UTC().Format(slotTime)), expression.Value(to.UTC().Format(slotTime))))
	expr, err := expression.NewBuilder().WithKeyCondition(keyCond).Build()
	if err != nil {
		return nil, fmt.Errorf("slots query: %w", err)
	}
	in := &dynamodb.QueryInput{
		TableName: &r.table, IndexName: aws.String("gsi1"),
		KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}
	var slots []Slot
	p := dynamodb.NewQueryPaginator(r.db, in)
	for p.HasMorePages() && len(slots) < limit {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list slots of %s: %w", storeID, err)
		}
		for _, it := range page.Items {
			var s slotItem
			if err := attributevalue.UnmarshalMap(it, &s); err != nil {
				return nil, fmt.Errorf("decode slot: %w", err)
			}
			if !s.Start.Before(to) || len(slots) >= limit {
				continue
			}
			slots = append(slots, s.Slot)
		}
	}
	return slots, nil
}

// slotTime is the sortable time layout of slot index keys.
const slotTime = "2006-01-02T15:04:05Z"
