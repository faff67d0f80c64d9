// Package webhook takes payment providers' webhooks in: it verifies the
// signature on the raw body, records each event once (a receipt keyed by
// provider and event id) and queues it for the payment saga, answering the
// provider only when the event is safe.
package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/signature"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// ReceiptTTL keeps receipts beyond providers' retry windows (Stripe retries
// for three days).
const ReceiptTTL = 30 * 24 * time.Hour

// Receipt statuses.
const (
	Received = "RECEIVED"
	Enqueued = "ENQUEUED"
)

// ErrUnknownProvider is a webhook path naming no configured provider.
var ErrUnknownProvider = problem.New(problem.NotFound, "unknown payment provider")

// DynamoDB is the subset of the client the receiver calls.
type DynamoDB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Queue sends verified events to the FIFO queue.
type Queue interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// Provider is how one provider signs and shapes its webhooks; each adapter
// declares its own header and parser.
type Provider struct {
	// Header carries the signature.
	Header string
	// Secrets are the active signing secrets (several during rotation).
	Secrets []string
	// Parse reads a verified body into normalised events.
	Parse func(provider string, body []byte) ([]payment.Event, error)
}

// Receiver takes webhooks in: verify, record once, enqueue, acknowledge.
type Receiver struct {
	DB        DynamoDB
	Table     string
	Queue     Queue
	QueueURL  string
	Providers map[string]Provider
	Now       func() time.Time
}

// Result says what Receive did.
type Result struct {
	Events     int // events in the body that the saga uses
	Enqueued   int // newly sent to the queue
	Duplicates int // already enqueued before
}

type receipt struct {
	PK       string `dynamodbav:"pk"`
	SK       string `dynamodbav:"sk"`
	Provider string `dynamodbav:"provider"`
	EventID  string `dynamodbav:"eventId"`
	OrderID  string `dynamodbav:"orderId"`
	Type     string `dynamodbav:"type"`
	Status   string `dynamodbav:"status"`
	TTL      int64  `dynamodbav:"ttl"`
	At       string `dynamodbav:"receivedAt"`
}

// Receive verifies body with the provider's signature header value,
// records each event once (a conditional put on provider + event id) and
// sends it to the FIFO queue (group = order id, deduplication = event id).
// It returns an error, so the provider retries, unless every event is
// safely enqueued: a receipt whose enqueue failed stays RECEIVED and the
// retry sends it again.
func (r *Receiver) Receive(ctx context.Context, provider, sig string, body []byte) (Result, error) {
	p, ok := r.Providers[provider]
	if !ok || len(p.Secrets) == 0 {
		return Result{}, ErrUnknownProvider
	}
	if err := signature.Verify(sig, body, p.Secrets, r.Now()); err != nil {
		return Result{}, err
	}
	events, err := p.Parse(provider, body)
	if err != nil {
		return Result{}, err
	}
	// Once a receipt is written its enqueue must follow even if the
	// provider hangs up: the caller leaving does not cancel this work; the
	// function's own deadline still bounds it.
	ctx, cancel := detached(ctx)
	defer cancel()
	res := Result{}
	for _, ev := range events {
		if ev.OrderID == "" && (ev.IntentID == "" || namesItsOrder(ev.Type)) {
			// Names nothing jiaoyi created: acknowledged and dropped, or the
			// provider would retry for days. (An event naming only an intent,
			// a refund made in the provider's dashboard, is queued: the
			// consumer finds its order from the intent.)
			logging.From(ctx).Info("webhook event names no order or intent; ignored", "provider", provider, "event_id", ev.ID)
			continue
		}
		res.Events++
		fresh, err := r.record(ctx, ev)
		if err != nil {
			return res, err
		}
		if !fresh {
			res.Duplicates++
			continue
		}
		if err := r.enqueue(ctx, ev); err != nil {
			return res, err
		}
		res.Enqueued++
	}
	return res, nil
}

func receiptKey(provider, eventID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "RECEIPT#" + provider + "#" + eventID},
		"sk": &types.AttributeValueMemberS{Value: "RECEIPT"},
	}
}

// record puts the receipt unless it was already enqueued; it reports
// whether the event still has to be enqueued.
func (r *Receiver) record(ctx context.Context, ev payment.Event) (bool, error) {
	now := r.Now()
	item, err := attributevalue.MarshalMap(receipt{
		PK: "RECEIPT#" + ev.Provider + "#" + ev.ID, SK: "RECEIPT", Provider: ev.Provider, EventID: ev.ID,
		OrderID: ev.OrderID, Type: string(ev.Type), Status: Received, TTL: now.Add(ReceiptTTL).Unix(), At: now.UTC().Format(time.RFC3339Nano),
	})
	if err != nil {
		return false, err
	}
	_, err = r.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &r.Table, Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR #status = :received"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":received": &types.AttributeValueMemberS{Value: Received}},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record webhook receipt: %w: %w", ErrStore, err)
	}
	return true, nil
}

// ErrStore and ErrEnqueue make the provider retry.
var (
	ErrStore   = problem.New(problem.Unavailable, "the event could not be recorded; retry")
	ErrEnqueue = problem.New(problem.Unavailable, "the event could not be queued; retry")
)

func (r *Receiver) enqueue(ctx context.Context, ev payment.Event) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(ev.Provider + "#" + ev.ID))
	_, err = r.Queue.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:               &r.QueueURL,
		MessageBody:            aws.String(string(body)),
		MessageGroupId:         aws.String(group(ev)),
		MessageDeduplicationId: aws.String(hex.EncodeToString(sum[:])),
	})
	if err != nil {
		return fmt.Errorf("enqueue event %s: %w: %w", ev.ID, ErrEnqueue, err)
	}
	_, err = r.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &r.Table, Key: receiptKey(ev.Provider, ev.ID),
		UpdateExpression:          aws.String("SET #status = :enqueued"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":enqueued": &types.AttributeValueMemberS{Value: Enqueued}},
	})
	if err != nil {
		// The event is queued; a retried delivery enqueues it again, and the
		// queue's deduplication or the saga's idempotence absorbs that.
		logging.From(ctx).Warn("mark receipt enqueued", "event_id", ev.ID, "error", err)
	}
	return nil
}

func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	d := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(d, deadline)
	}
	return d, func() {}
}

// namesItsOrder reports whether events of type always name their order
// when jiaoyi made the intent (payment events carry the intent's
// metadata); refund and dispute objects may not.
func namesItsOrder(t payment.EventType) bool {
	return t == payment.EventSucceeded || t == payment.EventFailed || t == payment.EventCanceled
}

// group orders an order's events: by order, or by intent for an event
// that names only its intent.
func group(ev payment.Event) string {
	if ev.OrderID != "" {
		return ev.OrderID
	}
	return "intent:" + ev.IntentID
}
