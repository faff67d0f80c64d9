// Package sandbox is jiaoyi's built-in payment provider for `make run`, tests
// and staging: it keeps its intents in the Payments table (under SANDBOX#
// keys, apart from jiaoyi's own records) so it works across Lambda
// containers, and can be told to settle an intent either way.
package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
)

// Name is the provider's id.
const Name = "sandbox"

// DynamoDB is the subset of the client the sandbox calls.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Provider is the sandbox PSP.
type Provider struct {
	db    DynamoDB
	table string
	// Now is the sandbox's clock (report lines' times); time.Now if nil.
	Now func() time.Time
}

var _ payment.Provider = (*Provider)(nil)

// New returns a sandbox provider keeping intents in table.
func New(db DynamoDB, table string) *Provider { return &Provider{db: db, table: table} }

// Name implements payment.Provider.
func (p *Provider) Name() string { return Name }

type item struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	payment.Intent
}

func key(intentID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "SANDBOX#" + intentID},
		"sk": &types.AttributeValueMemberS{Value: "INTENT"},
	}
}

// CreateIntent implements payment.Provider. The intent id is derived from
// the idempotency key, so a retry returns the intent created first.
func (p *Provider) CreateIntent(ctx context.Context, req payment.CreateRequest) (payment.Intent, error) {
	if err := req.Amount.Validate(); err != nil || req.Amount.Amount == 0 {
		return payment.Intent{}, fmt.Errorf("sandbox: invalid amount %v: %w", req.Amount, err)
	}
	if req.IdempotencyKey == "" {
		return payment.Intent{}, errors.New("sandbox: idempotency key required")
	}
	sum := sha256.Sum256([]byte(req.IdempotencyKey))
	in := payment.Intent{
		Provider: Name, ID: "pi_sbx_" + hex.EncodeToString(sum[:12]), OrderID: req.OrderID,
		Amount: req.Amount, Status: payment.RequiresPayment,
	}
	in.ClientSecret = in.ID + "_secret_" + randomHex(12)
	av, err := attributevalue.MarshalMap(item{PK: "SANDBOX#" + in.ID, SK: "INTENT", Intent: in})
	if err != nil {
		return payment.Intent{}, fmt.Errorf("sandbox: encode intent: %w", err)
	}
	_, err = p.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &p.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		existing, err := p.GetIntent(ctx, in.ID)
		if err != nil {
			return payment.Intent{}, err
		}
		if existing.Amount != req.Amount || existing.OrderID != req.OrderID {
			return payment.Intent{}, fmt.Errorf("sandbox: idempotency key reused for another payment")
		}
		return existing, nil
	}
	if err != nil {
		return payment.Intent{}, fmt.Errorf("sandbox: create intent: %w: %w", payment.ErrUnavailable, err)
	}
	return in, nil
}

// GetIntent implements payment.Provider.
func (p *Provider) GetIntent(ctx context.Context, id string) (payment.Intent, error) {
	out, err := p.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &p.table, Key: key(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return payment.Intent{}, fmt.Errorf("sandbox: get intent: %w: %w", payment.ErrUnavailable, err)
	}
	if out.Item == nil {
		return payment.Intent{}, fmt.Errorf("sandbox: intent %s: %w", id, payment.ErrIntentNotFound)
	}
	var it item
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return payment.Intent{}, fmt.Errorf("sandbox: decode intent: %w", err)
	}
	return it.Intent, nil
}

// CancelIntent implements payment.Provider.
func (p *Provider) CancelIntent(ctx context.Context, id string) (payment.Intent, error) {
	return p.settle(ctx, id, payment.Canceled)
}

// Succeed takes the money for an intent, as a shopper paying would. Returns
// payment.ErrIntentNotFound, or an error if the intent was cancelled.
func (p *Provider) Succeed(ctx context.Context, id string) (payment.Intent, error) {
	return p.settle(ctx, id, payment.Succeeded)
}

// ErrCanceled means the intent was cancelled and can no longer be paid.
var ErrCanceled = errors.New("sandbox: intent was canceled")

// settle moves a payable intent to status; settling it to the status it
// already has is a no-op.
func (p *Provider) settle(ctx context.Context, id string, status payment.IntentStatus) (payment.Intent, error) {
	out, err := p.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &p.table, Key: key(id),
		UpdateExpression:          aws.String("SET #status = :to"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND #status = :payable"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":to": &types.AttributeValueMemberS{Value: string(status)}, ":payable": &types.AttributeValueMemberS{Value: string(payment.RequiresPayment)}},
		ReturnValues:              types.ReturnValueAllNew,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		cur, err := p.GetIntent(ctx, id)
		if err != nil {
			return payment.Intent{}, err
		}
		switch {
		case cur.Status == status:
			return cur, nil
		case cur.Status == payment.Succeeded:
			return cur, payment.ErrIntentSucceeded
		case cur.Status == payment.Canceled:
			return cur, ErrCanceled
		}
		return cur, fmt.Errorf("sandbox: intent %s is %s", id, cur.Status)
	}
	if err != nil {
		return payment.Intent{}, fmt.Errorf("sandbox: update intent: %w: %w", payment.ErrUnavailable, err)
	}
	var it item
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return payment.Intent{}, fmt.Errorf("sandbox: decode intent: %w", err)
	}
	if status == payment.Succeeded {
		if err := p.reportCapture(ctx, it.Intent); err != nil {
			return payment.Intent{}, err
		}
	}
	return it.Intent, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// CaptureDespiteCancel marks an intent succeeded whatever its state,
// simulating the race every real PSP has: the shopper's payment was
// captured just before our cancel was processed, so a success arrives for
// an order that already expired or was cancelled.
func (p *Provider) CaptureDespiteCancel(ctx context.Context, id string) (payment.Intent, error) {
	out, err := p.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &p.table, Key: key(id),
		UpdateExpression:          aws.String("SET #status = :s"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberS{Value: string(payment.Succeeded)}},
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err != nil {
		return payment.Intent{}, fmt.Errorf("sandbox: capture: %w", err)
	}
	var it item
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return payment.Intent{}, err
	}
	return it.Intent, p.reportCapture(ctx, it.Intent)
}
