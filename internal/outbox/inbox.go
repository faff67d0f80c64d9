package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
)

// InboxTTL keeps processed-event marks well past the longest redelivery
// (queue retention is four days).
const InboxTTL = 14 * 24 * time.Hour

// Inbox remembers which events a consumer has processed, so a redelivered
// or republished event is applied once. Marks live in the consumer's own
// table and expire by TTL.
type Inbox struct {
	DB interface {
		GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
		PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	}
	Table    string
	Consumer string
	Now      func() time.Time
}

func (in *Inbox) key(eventID string) map[string]types.AttributeValue {
	return dynamo.Key("INBOX#"+in.Consumer+"#"+eventID, "INBOX")
}

// Seen reports whether the event was already processed.
func (in *Inbox) Seen(ctx context.Context, eventID string) (bool, error) {
	out, err := in.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &in.Table, Key: in.key(eventID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, fmt.Errorf("inbox: %w", err)
	}
	return out.Item != nil, nil
}

// MarkItem is the write that marks the event processed, for a consumer
// that applies the event in a transaction: it fails if the event was
// already processed, so two deliveries racing each other apply once.
func (in *Inbox) MarkItem(eventID string) types.TransactWriteItem {
	item := in.key(eventID)
	item["ttl"] = &types.AttributeValueMemberN{Value: fmt.Sprint(in.now().Add(InboxTTL).Unix())}
	return dynamo.PutNew(in.Table, item)
}

// Mark marks the event processed. Returns ErrSeen if it already was.
func (in *Inbox) Mark(ctx context.Context, eventID string) error {
	w := in.MarkItem(eventID)
	_, err := in.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: w.Put.TableName, Item: w.Put.Item, ConditionExpression: w.Put.ConditionExpression})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrSeen
	}
	if err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	return nil
}

// ErrSeen is an event the consumer already processed.
var ErrSeen = errors.New("outbox: event already processed")

func (in *Inbox) now() time.Time {
	if in.Now != nil {
		return in.Now()
	}
	return time.Now()
}
