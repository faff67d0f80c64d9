package settlement

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/reconcile"
)

// DB is the part of the DynamoDB client the store uses.
type DB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store keeps settlement batches and reconciliation runs in the Ledger
// table, beside the book:
//
//	batch      pk SETTLE#<merchant>  sk DAY#<date>          gsi1 SETTLED#<date> / <merchant>
//	batch ids  pk SETTLE#<merchant>  sk IDS#<date>#<n>      (its transfer ids, idsPerItem each)
//	recon run  pk RECON#<date>       sk RUN#<time>#<currency>
type Store struct {
	DB    DB
	Table string
}

// ErrNotFound means no batch or run exists for the key asked.
var ErrNotFound = errors.New("settlement: not found")

// idsPerItem bounds the transfer ids on one item (well under 400 KB).
const idsPerItem = 4000

// Line is one line of a statement.
type Line struct {
	Kind string `json:"kind" dynamodbav:"kind"`
	// Late lines settle entries of a day closed earlier, as adjustments.
	Late   bool   `json:"late,omitempty" dynamodbav:"late,omitempty"`
	Day    string `json:"day" dynamodbav:"day"`
	Count  int    `json:"count" dynamodbav:"count"`
	Amount int64  `json:"amount" dynamodbav:"amount"`
}

// Batch is one merchant's closed business day: the statement, the ledger
// transfers it settled and its payout.
type Batch struct {
	Merchant string `json:"merchantId" dynamodbav:"merchant"`
	Day      string `json:"date" dynamodbav:"day"`
	Currency string `json:"currency" dynamodbav:"currency"`
	TimeZone string `json:"timeZone" dynamodbav:"timeZone"`
	Cutoff   string `json:"cutoff" dynamodbav:"cutoff"`
	// From and To bound the posting times of the transfers settled here.
	From  time.Time `json:"from" dynamodbav:"from"`
	To    time.Time `json:"to" dynamodbav:"to"`
	Lines []Line    `json:"lines" dynamodbav:"lines"`
	// Gross, Refunds, Fees, Disputes and Adjustments summarise the lines;
	// CarryIn + their sum = Net.
	Gross       int64 `json:"gross" dynamodbav:"gross"`
	Refunds     int64 `json:"refunds" dynamodbav:"refunds"`
	Fees        int64 `json:"fees" dynamodbav:"fees"`
	Disputes    int64 `json:"disputes" dynamodbav:"disputes"`
	Adjustments int64 `json:"adjustments" dynamodbav:"adjustments"`
	CarryIn     int64 `json:"carryIn" dynamodbav:"carryIn"`
	Net         int64 `json:"net" dynamodbav:"net"`
	// Recovered is taken from the net to repay the platform's advances
	// (refunds and chargebacks that came after an earlier payout); the
	// payout is Net − Recovered when positive.
	Recovered int64       `json:"recovered" dynamodbav:"recovered"`
	Payout    money.Money `json:"payout" dynamodbav:"payout"`
	PayoutID  string      `json:"payoutId,omitempty" dynamodbav:"payoutId,omitempty"`
	CarryOut  int64       `json:"carryOut" dynamodbav:"carryOut"`
	Transfers int         `json:"transferCount" dynamodbav:"transferCount"`
	ClosedAt  time.Time   `json:"closedAt" dynamodbav:"closedAt"`
	// TransferIDs are the ledger transfers settled (read with the batch).
	TransferIDs []string `json:"transferIds,omitempty" dynamodbav:"-"`
}

type batchItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI1PK string `dynamodbav:"gsi1pk"`
	GSI1SK string `dynamodbav:"gsi1sk"`
	Batch
}

// Save stores a closed batch once: a batch already stored for the day is
// returned as it is (a re-run changes nothing).
func (s *Store) Save(ctx context.Context, b Batch) (Batch, error) {
	item, err := attributevalue.MarshalMap(batchItem{PK: "SETTLE#" + b.Merchant, SK: "DAY#" + b.Day, GSI1PK: "SETTLED#" + b.Day, GSI1SK: b.Merchant, Batch: b})
	if err != nil {
		return Batch{}, fmt.Errorf("encode batch: %w", err)
	}
	writes := []types.TransactWriteItem{dynamo.PutNew(s.Table, item)}
	for n := 0; n*idsPerItem < len(b.TransferIDs); n++ {
		ids := b.TransferIDs[n*idsPerItem : min(len(b.TransferIDs), (n+1)*idsPerItem)]
		writes = append(writes, types.TransactWriteItem{Put: &types.Put{TableName: &s.Table, Item: map[string]types.AttributeValue{
			"pk": dynamo.S("SETTLE#" + b.Merchant), "sk": dynamo.S("IDS#" + b.Day + "#" + fmt.Sprintf("%04d", n)),
			"ids": &types.AttributeValueMemberSS{Value: ids},
		}}})
	}
	if len(writes) > 100 {
		return Batch{}, fmt.Errorf("settlement: batch %s %s has %d transfers, more than one transaction holds", b.Merchant, b.Day, len(b.TransferIDs))
	}
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
	if failed, ok := dynamo.Failed(err); ok && hasKey(failed, 0) {
		return s.Batch(ctx, b.Merchant, b.Day, false)
	}
	if err != nil {
		return Batch{}, fmt.Errorf("save batch %s %s: %w", b.Merchant, b.Day, err)
	}
	return b, nil
}

// Batch reads a merchant's batch of a day, with its transfer ids if ids.
// Returns ErrNotFound.
func (s *Store) Batch(ctx context.Context, merchant, day string, ids bool) (Batch, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.Table, Key: dynamo.Key("SETTLE#"+merchant, "DAY#"+day), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Batch{}, fmt.Errorf("read batch: %w", err)
	}
	if out.Item == nil {
		return Batch{}, ErrNotFound
	}
	var it batchItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return Batch{}, fmt.Errorf("decode batch: %w", err)
	}
	b := it.Batch
	if ids {
		err := s.query(ctx, &dynamodb.QueryInput{
			TableName: &s.Table, KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S("SETTLE#" + merchant), ":sk": dynamo.S("IDS#" + day + "#")},
			ConsistentRead:            aws.Bool(true),
		}, func(item map[string]types.AttributeValue) error {
			if ss, ok := item["ids"].(*types.AttributeValueMemberSS); ok {
				b.TransferIDs = append(b.TransferIDs, ss.Value...)
			}
			return nil
		})
		if err != nil {
			return Batch{}, err
		}
	}
	return b, nil
}

// Last returns the merchant's latest batch. Returns ErrNotFound if it has
// none.
func (s *Store) Last(ctx context.Context, merchant string) (Batch, error) {
	out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName: &s.Table, KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S("SETTLE#" + merchant), ":sk": dynamo.S("DAY#")},
		ScanIndexForward:          aws.Bool(false), Limit: aws.Int32(1), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Batch{}, fmt.Errorf("last batch of %s: %w", merchant, err)
	}
	if len(out.Items) == 0 {
		return Batch{}, ErrNotFound
	}
	var it batchItem
	if err := attributevalue.UnmarshalMap(out.Items[0], &it); err != nil {
		return Batch{}, fmt.Errorf("decode batch: %w", err)
	}
	return it.Batch, nil
}

// Batches lists a merchant's batches of days in [from, to], oldest first.
func (s *Store) Batches(ctx context.Context, merchant, from, to string) ([]Batch, error) {
	var out []Batch
	err := s.query(ctx, &dynamodb.QueryInput{
		TableName: &s.Table, KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S("SETTLE#" + merchant), ":from": dynamo.S("DAY#" + from), ":to": dynamo.S("DAY#" + to)},
	}, func(item map[string]types.AttributeValue) error {
		var it batchItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return fmt.Errorf("decode batch: %w", err)
		}
		out = append(out, it.Batch)
		return nil
	})
	return out, err
}

// ByDay lists every merchant's batch of a day (from an index: a batch
// closed a moment ago may be missing).
func (s *Store) ByDay(ctx context.Context, day string) ([]Batch, error) {
	var out []Batch
	err := s.query(ctx, &dynamodb.QueryInput{
		TableName: &s.Table, IndexName: aws.String("gsi1"), KeyConditionExpression: aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S("SETTLED#" + day)},
	}, func(item map[string]types.AttributeValue) error {
		var it batchItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return fmt.Errorf("decode batch: %w", err)
		}
		out = append(out, it.Batch)
		return nil
	})
	return out, err
}

// Run is one reconciliation of a provider's report of a day.
type Run struct {
	Day      string    `json:"date" dynamodbav:"day"`
	Currency string    `json:"currency" dynamodbav:"currency"`
	Provider string    `json:"provider" dynamodbav:"provider"`
	At       time.Time `json:"at" dynamodbav:"at"`
	// Matched counts groups that agree; Unmatched those that do not.
	Matched   int `json:"matched" dynamodbav:"matched"`
	Unmatched int `json:"unmatched" dynamodbav:"unmatched"`
	// ByKind counts findings by kind.
	ByKind map[string]int `json:"byKind" dynamodbav:"byKind"`
	// Findings are the discrepancies (at most maxStoredFindings kept).
	Findings  []reconcile.Finding `json:"findings" dynamodbav:"findings"`
	Truncated bool                `json:"truncated,omitempty" dynamodbav:"truncated,omitempty"`
}

// maxStoredFindings keeps a run's item well under 400 KB.
const maxStoredFindings = 1000

// SaveRun stores a reconciliation run.
func (s *Store) SaveRun(ctx context.Context, r Run) error {
	if len(r.Findings) > maxStoredFindings {
		r.Findings, r.Truncated = r.Findings[:maxStoredFindings], true
	}
	item, err := attributevalue.MarshalMap(r)
	if err != nil {
		return fmt.Errorf("encode run: %w", err)
	}
	item["pk"] = dynamo.S("RECON#" + r.Day)
	item["sk"] = dynamo.S("RUN#" + r.At.UTC().Format(time.RFC3339Nano) + "#" + r.Currency)
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.Table, Item: item})
	if err != nil {
		return fmt.Errorf("save reconciliation: %w", err)
	}
	return nil
}

// Runs lists the reconciliation runs of a day, newest first.
func (s *Store) Runs(ctx context.Context, day string) ([]Run, error) {
	var out []Run
	err := s.query(ctx, &dynamodb.QueryInput{
		TableName: &s.Table, KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S("RECON#" + day), ":sk": dynamo.S("RUN#")},
		ScanIndexForward:          aws.Bool(false),
	}, func(item map[string]types.AttributeValue) error {
		var r Run
		if err := attributevalue.UnmarshalMap(item, &r); err != nil {
			return fmt.Errorf("decode run: %w", err)
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

func (s *Store) query(ctx context.Context, in *dynamodb.QueryInput, each func(map[string]types.AttributeValue) error) error {
	p := dynamodb.NewQueryPaginator(s.DB, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("query %s: %w", aws.ToString(in.TableName), err)
		}
		for _, item := range page.Items {
			if err := each(item); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasKey(m map[int]map[string]types.AttributeValue, k int) bool {
	_, ok := m[k]
	return ok
}
