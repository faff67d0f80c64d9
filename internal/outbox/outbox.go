// Package outbox carries domain events out of the transactions that cause
// them. An event is written as an outbox item inside the same
// TransactWriteItems as the change it reports, published to the events SNS
// topic right after the commit, and again by a scheduled relay for any
// that a crash or an outage left behind; so an event is never lost, and
// may arrive more than once. Each consumer has its own SQS queue
// subscribed to the topic (raw delivery, a filter on the types it reads)
// and drops repeats with an Inbox keyed by event id.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
)

// Event is a domain event: what happened (Type, at Version of its
// schema), its unique ID, when it happened, and its data.
type Event struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Version    int             `json:"version"`
	OccurredAt time.Time       `json:"occurredAt"`
	Data       json.RawMessage `json:"data"`
}

// New makes an event of typ (schema version) with data.
func New(id, typ string, version int, at time.Time, data any) (Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("outbox: encode %s: %w", typ, err)
	}
	return Event{ID: id, Type: typ, Version: version, OccurredAt: at.UTC(), Data: raw}, nil
}

// Decode reads an event from a message body (raw SNS delivery).
func Decode(body string) (Event, error) {
	var e Event
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.ID == "" || e.Type == "" {
		return Event{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return e, nil
}

// ErrMalformed is a message that is not an event.
var ErrMalformed = errors.New("outbox: malformed event")

// Pending is the due-index partition of events not yet published.
const Pending = "OUTBOX#PENDING"

type item struct {
	PK      string `dynamodbav:"pk"`
	SK      string `dynamodbav:"sk"`
	GSI2PK  string `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK  string `dynamodbav:"gsi2sk,omitempty"`
	EventID string `dynamodbav:"eventId"`
	Type    string `dynamodbav:"type"`
	Status  string `dynamodbav:"status"`
	Payload string `dynamodbav:"payload"`
}

// Item is the write that stores e in table's outbox, for the transaction
// that makes e true. A second write of the same event id fails its
// condition, so an event is recorded once.
func Item(table string, e Event) (types.TransactWriteItem, error) {
	payload, err := json.Marshal(e)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	av, err := attributevalue.MarshalMap(item{
		PK: "OUTBOX#" + e.ID, SK: "OUTBOX", GSI2PK: Pending, GSI2SK: e.OccurredAt.UTC().Format(dynamo.TimeLayout) + "#" + e.ID,
		EventID: e.ID, Type: e.Type, Status: "PENDING", Payload: string(payload),
	})
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return dynamo.PutNew(table, av), nil
}

// Publisher publishes to SNS.
type Publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// DynamoDB is what the relay calls.
type DynamoDB interface {
	dynamodb.QueryAPIClient
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Relay publishes outbox events to the topic and marks them sent.
type Relay struct {
	DB       DynamoDB
	Table    string
	SNS      Publisher
	TopicARN string
	// IndexName is the due-work index ("gsi2").
	IndexName string
}

// Send publishes e (with its type as a message attribute, for the
// subscriptions' filters) and marks its outbox item sent.
func (r *Relay) Send(ctx context.Context, e Event) error {
	if r.TopicARN == "" {
		return errors.New("outbox: the events topic is not configured")
	}
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = r.SNS.Publish(ctx, &sns.PublishInput{
		TopicArn: &r.TopicARN, Message: aws.String(string(body)),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"type":    {DataType: aws.String("String"), StringValue: aws.String(e.Type)},
			"eventId": {DataType: aws.String("String"), StringValue: aws.String(e.ID)},
		},
	})
	if err != nil {
		return fmt.Errorf("outbox: publish %s: %w", e.ID, err)
	}
	_, err = r.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &r.Table, Key: dynamo.Key("OUTBOX#"+e.ID, "OUTBOX"),
		UpdateExpression:          aws.String("SET #status = :sent REMOVE gsi2pk, gsi2sk"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":sent": dynamo.S("SENT")},
	})
	if err != nil {
		return fmt.Errorf("outbox: mark %s sent: %w", e.ID, err)
	}
	return nil
}

// RelayPending publishes up to limit events still pending (oldest first)
// and returns how many it sent and how many were pending when it looked.
func (r *Relay) RelayPending(ctx context.Context, limit int) (sent, pending int, err error) {
	items, err := dynamo.Due(ctx, r.DB, r.Table, r.IndexName, Pending, "", limit)
	if err != nil {
		return 0, 0, fmt.Errorf("outbox: %w", err)
	}
	for _, it := range items {
		var ob item
		if err := attributevalue.UnmarshalMap(it, &ob); err != nil {
			return sent, len(items), err
		}
		e, err := Decode(ob.Payload)
		if err != nil {
			return sent, len(items), err
		}
		if err := r.Send(ctx, e); err != nil {
			return sent, len(items), err
		}
		sent++
	}
	return sent, len(items), nil
}
