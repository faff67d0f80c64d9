// Package idempotency makes API POSTs safe to retry with an Idempotency-Key
// header, following the AWS Powertools design:
//
//   - same key and same request: the first answer, replayed;
//   - same key, different request: 422;
//   - same key while the first request still runs: 409;
//   - a request that failed (5xx, or a 409 that depends on current state)
//     releases its key so a retry runs again.
//
// A record is claimed with one conditional put that succeeds only if the key
// is absent, expired, or in progress past its in-progress expiry. Expiry is
// checked in the condition itself, never left to TTL alone (TTL deletion can
// lag by up to 48 hours). Keys are scoped to the caller, so two customers
// cannot collide or read each other's answers.
package idempotency

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Header is the request header carrying the key.
const Header = "Idempotency-Key"

// MaxKeyLength is the longest key accepted.
const MaxKeyLength = 255

// Errors callers branch on; each is a problem with its HTTP status.
var (
	ErrKeyMissing = problem.Field(Header, "the Idempotency-Key header is required on this request")
	ErrKeyInvalid = problem.Field(Header, fmt.Sprintf("the Idempotency-Key header must be 1 to %d printable ASCII characters", MaxKeyLength))
	ErrInProgress = problem.New(problem.Conflict, "a request with this Idempotency-Key is still in progress; retry later")
	ErrKeyReused  = problem.New(problem.Unprocessable, "this Idempotency-Key was already used with a different request")
	// ErrClaimLost means the claim expired and another request took the key
	// over before this one completed.
	ErrClaimLost = errors.New("idempotency: claim lost to another request")
)

// Status of a record.
const (
	StatusInProgress = "IN_PROGRESS"
	StatusCompleted  = "COMPLETED"
)

// Response is a stored answer, replayed for a repeated request.
type Response struct {
	StatusCode int               `dynamodbav:"statusCode"`
	Headers    map[string]string `dynamodbav:"headers,omitempty"`
	Body       string            `dynamodbav:"body,omitempty"`
	// BodyGzip holds a large Body compressed: stored answers are written
	// inside the caller's transaction at 2 write units per started KB, and
	// an order's JSON shrinks to about a third.
	BodyGzip []byte `dynamodbav:"bodyGz,omitempty"`
}

// gzipAbove is the body size from which stored bodies are compressed.
const gzipAbove = 512

func (r Response) packed() (Response, error) {
	if len(r.Body) < gzipAbove {
		return r, nil
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(r.Body)); err != nil {
		return r, err
	}
	if err := zw.Close(); err != nil {
		return r, err
	}
	r.Body, r.BodyGzip = "", buf.Bytes()
	return r, nil
}

func (r Response) unpacked() (Response, error) {
	if len(r.BodyGzip) == 0 {
		return r, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.BodyGzip))
	if err != nil {
		return r, err
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		return r, err
	}
	r.Body, r.BodyGzip = string(body), nil
	return r, nil
}

type record struct {
	PK              string    `dynamodbav:"pk"`
	SK              string    `dynamodbav:"sk"`
	Status          string    `dynamodbav:"status"`
	PayloadHash     string    `dynamodbav:"payloadHash"`
	Token           string    `dynamodbav:"token"`
	TTL             int64     `dynamodbav:"ttl"`             // epoch seconds: the record's expiry
	InProgressUntil int64     `dynamodbav:"inProgressUntil"` // epoch milliseconds
	Response        *Response `dynamodbav:"response,omitempty"`
}

const sk = "IDEMPOTENCY"

// DynamoDB is the subset of the DynamoDB client the store calls.
type DynamoDB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Store keeps idempotency records in a table with pk/sk keys and a TTL
// attribute named ttl (the Orders table).
type Store struct {
	db    DynamoDB
	table string
	// Expiry is how long a completed answer is replayed (default 24h).
	Expiry time.Duration
	// InProgressExpiry is how long a claim blocks others before it may be
	// taken over; set it above the function's timeout (default 60s).
	InProgressExpiry time.Duration
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// NewStore returns a Store on table.
func NewStore(db DynamoDB, table string) *Store {
	return &Store{db: db, table: table, Expiry: 24 * time.Hour, InProgressExpiry: 60 * time.Second, Now: time.Now}
}

// Claim is the right to run the request for a key, held until Complete or Release.
type Claim struct {
	pk    string
	token string
	ttl   int64
}

// ValidKey reports whether key is acceptable: 1..MaxKeyLength printable ASCII.
func ValidKey(key string) bool {
	if len(key) == 0 || len(key) > MaxKeyLength {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// Fingerprint hashes what makes two requests "the same request".
func Fingerprint(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(strconv.Itoa(len(p))))
		h.Write([]byte{':'})
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Begin claims key within scope (the caller) for a request with fingerprint.
// It returns a Claim when the caller should run the request, or the stored
// Response when the same request already completed. Returns ErrKeyInvalid,
// ErrInProgress or ErrKeyReused otherwise.
func (s *Store) Begin(ctx context.Context, scope, key, fingerprint string) (*Claim, *Response, error) {
	if !ValidKey(key) {
		return nil, nil, ErrKeyInvalid
	}
	now := s.Now()
	sum := sha256.Sum256([]byte(scope + "\x00" + key))
	c := &Claim{pk: "IDEMPOTENCY#" + hex.EncodeToString(sum[:]), token: newToken(), ttl: now.Add(s.Expiry).Unix()}
	item, err := attributevalue.MarshalMap(record{
		PK: c.pk, SK: sk, Status: StatusInProgress, PayloadHash: fingerprint, Token: c.token,
		TTL: c.ttl, InProgressUntil: now.Add(s.InProgressExpiry).UnixMilli(),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("idempotency: encode record: %w", err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           &s.table,
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(pk) OR #ttl < :now OR (#status = :inprogress AND inProgressUntil < :nowms)"),
		ExpressionAttributeNames: map[string]string{
			"#ttl": "ttl", "#status": "status",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now":        &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
			":nowms":      &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixMilli(), 10)},
			":inprogress": &types.AttributeValueMemberS{Value: StatusInProgress},
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return c, nil, nil
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return nil, nil, fmt.Errorf("idempotency: claim key: %w", err)
	}
	var old record
	if err := attributevalue.UnmarshalMap(ccf.Item, &old); err != nil || ccf.Item == nil {
		return nil, nil, fmt.Errorf("idempotency: read existing record: %w", errors.Join(err, errors.New("no item returned")))
	}
	switch {
	case old.Token == c.token && old.Status == StatusInProgress:
		// Our own claim: the SDK sent the put again after losing the
		// first attempt's answer, and the first had written it.
		return c, nil, nil
	case old.PayloadHash != fingerprint:
		return nil, nil, ErrKeyReused
	case old.Status == StatusCompleted && old.Response != nil:
		resp, err := old.Response.unpacked()
		if err != nil {
			return nil, nil, fmt.Errorf("idempotency: stored response: %w", err)
		}
		return nil, &resp, nil
	default:
		return nil, nil, ErrInProgress
	}
}

// Complete stores resp as the answer of c's key.
// Returns ErrClaimLost if another request took the key over.
func (s *Store) Complete(ctx context.Context, c *Claim, resp Response) error {
	in, err := s.completeUpdate(c, resp)
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: in.TableName, Key: in.Key, UpdateExpression: in.UpdateExpression,
		ConditionExpression: in.ConditionExpression, ExpressionAttributeNames: in.ExpressionAttributeNames,
		ExpressionAttributeValues: in.ExpressionAttributeValues,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrClaimLost
	}
	if err != nil {
		return fmt.Errorf("idempotency: complete: %w", err)
	}
	return nil
}

// CompleteItem returns the write that completes c with resp, for a caller
// that commits it in its own TransactWriteItems together with the work, so
// the answer is stored if and only if the work is. A cancellation of that
// item (ConditionalCheckFailed) means ErrClaimLost.
func (s *Store) CompleteItem(c *Claim, resp Response) (types.TransactWriteItem, error) {
	u, err := s.completeUpdate(c, resp)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: u}, nil
}

func (s *Store) completeUpdate(c *Claim, resp Response) (*types.Update, error) {
	resp, err := resp.packed()
	if err != nil {
		return nil, fmt.Errorf("idempotency: compress response: %w", err)
	}
	av, err := attributevalue.Marshal(resp)
	if err != nil {
		return nil, fmt.Errorf("idempotency: encode response: %w", err)
	}
	return &types.Update{
		TableName:           &s.table,
		Key:                 key(c.pk),
		UpdateExpression:    aws.String("SET #status = :completed, #response = :response"),
		ConditionExpression: aws.String("#status = :inprogress AND #token = :token"),
		ExpressionAttributeNames: map[string]string{
			"#status": "status", "#response": "response", "#token": "token",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":completed":  &types.AttributeValueMemberS{Value: StatusCompleted},
			":inprogress": &types.AttributeValueMemberS{Value: StatusInProgress},
			":token":      &types.AttributeValueMemberS{Value: c.token},
			":response":   av,
		},
	}, nil
}

// Release deletes c's record so a retry of the request runs again; it is
// called when the request failed. A record that another request has taken
// over, or that was completed (by a transaction whose answer was lost on
// the way back), is left alone.
func (s *Store) Release(ctx context.Context, c *Claim) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                &s.table,
		Key:                      key(c.pk),
		ConditionExpression:      aws.String("#token = :token AND #status = :inprogress"),
		ExpressionAttributeNames: map[string]string{"#token": "token", "#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":token":      &types.AttributeValueMemberS{Value: c.token},
			":inprogress": &types.AttributeValueMemberS{Value: StatusInProgress},
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("idempotency: release: %w", err)
	}
	return nil
}

func key(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk},
		"sk": &types.AttributeValueMemberS{Value: sk},
	}
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
