package sandbox

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
)

// FeeBasisPoints is the sandbox's published processing fee: 0.60% of each
// capture, rounded half-even in minor units (what the ledger books for
// sandbox payments, and what the sandbox's report lists).
const FeeBasisPoints = 60

// Fee is the sandbox's fee on a capture of amount.
func Fee(amount int64) int64 {
	q, r := new(big.Int).QuoRem(big.NewInt(amount*FeeBasisPoints), big.NewInt(10000), new(big.Int))
	f, rem := q.Int64(), r.Int64()*2
	if rem > 10000 || (rem == 10000 && f%2 == 1) {
		f++
	}
	return f
}

// ReportLine is one line of the sandbox's settlement report: a capture
// (type "charge", ours = our order id) or a refund (type "refund", ours = our
// refund id), on the UTC day it happened.
type ReportLine struct {
	Type        string      `json:"type" dynamodbav:"type"`
	ProviderRef string      `json:"providerRef" dynamodbav:"providerRef"`
	OurRef      string      `json:"ourRef" dynamodbav:"ourRef"`
	Amount      money.Money `json:"amount" dynamodbav:"amount"`
	Fee         int64       `json:"fee" dynamodbav:"fee"`
	At          time.Time   `json:"at" dynamodbav:"at"`
}

// Tamper tells the sandbox to misreport a day, as a provider's report can:
// leave lines out, list them twice, change their amounts (by Delta minor
// units) or currency. Lines are named by ProviderRef.
type Tamper struct {
	Drop      []string `json:"drop,omitempty" dynamodbav:"drop,omitempty"`
	Duplicate []string `json:"duplicate,omitempty" dynamodbav:"duplicate,omitempty"`
	Alter     []string `json:"alter,omitempty" dynamodbav:"alter,omitempty"`
	Delta     int64    `json:"delta,omitempty" dynamodbav:"delta,omitempty"`
	Currency  []string `json:"currency,omitempty" dynamodbav:"currency,omitempty"`
}

func reportDay(t time.Time) string { return t.UTC().Format("2006-01-02") }

// reportPut is the write of one report line (once per provider ref).
func (p *Provider) reportPut(l ReportLine) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(l)
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("sandbox: encode report line: %w", err)
	}
	item["pk"] = &types.AttributeValueMemberS{Value: "SANDBOXREPORT#" + reportDay(l.At)}
	item["sk"] = &types.AttributeValueMemberS{Value: l.ProviderRef}
	return types.TransactWriteItem{Put: &types.Put{TableName: &p.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}}, nil
}

// reportCapture lists a capture in the day's report (once).
func (p *Provider) reportCapture(ctx context.Context, in payment.Intent) error {
	w, err := p.reportPut(ReportLine{Type: "charge", ProviderRef: "ch_" + in.ID, OurRef: in.OrderID, Amount: in.Amount, Fee: Fee(in.Amount.Amount), At: p.now()})
	if err != nil {
		return err
	}
	_, err = p.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: w.Put.TableName, Item: w.Put.Item, ConditionExpression: w.Put.ConditionExpression})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("sandbox: report capture: %w", err)
	}
	return nil
}

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// SetTamper stores how the report of day is to be misreported (replacing
// any earlier instruction; a zero Tamper reports it truthfully).
func (p *Provider) SetTamper(ctx context.Context, day string, t Tamper) error {
	item, err := attributevalue.MarshalMap(t)
	if err != nil {
		return err
	}
	item["pk"] = &types.AttributeValueMemberS{Value: "SANDBOXTAMPER#" + day}
	item["sk"] = &types.AttributeValueMemberS{Value: "TAMPER"}
	_, err = p.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &p.table, Item: item})
	return err
}

// Report returns the sandbox's settlement report of a UTC day, ordered by
// provider reference, misreported as SetTamper said.
func (p *Provider) Report(ctx context.Context, day string) ([]ReportLine, error) {
	var lines []ReportLine
	pg := dynamodb.NewQueryPaginator(p.db, &dynamodb.QueryInput{
		TableName: &p.table, KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "SANDBOXREPORT#" + day}},
		ConsistentRead:            aws.Bool(true),
	})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("sandbox: report %s: %w", day, err)
		}
		for _, item := range page.Items {
			var l ReportLine
			if err := attributevalue.UnmarshalMap(item, &l); err != nil {
				return nil, fmt.Errorf("sandbox: decode report line: %w", err)
			}
			lines = append(lines, l)
		}
	}
	out, err := p.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &p.table, Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "SANDBOXTAMPER#" + day}, "sk": &types.AttributeValueMemberS{Value: "TAMPER"}}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("sandbox: report %s: %w", day, err)
	}
	var t Tamper
	if out.Item != nil {
		if err := attributevalue.UnmarshalMap(out.Item, &t); err != nil {
			return nil, err
		}
	}
	return t.apply(lines), nil
}

func (t Tamper) apply(lines []ReportLine) []ReportLine {
	in := func(list []string, ref string) bool {
		for _, r := range list {
			if r == ref {
				return true
			}
		}
		return false
	}
	var out []ReportLine
	for _, l := range lines {
		if in(t.Drop, l.ProviderRef) {
			continue
		}
		if in(t.Alter, l.ProviderRef) {
			l.Amount.Amount += t.Delta
		}
		if in(t.Currency, l.ProviderRef) {
			if l.Amount.Currency == "USD" {
				l.Amount.Currency = "EUR"
			} else {
				l.Amount.Currency = "USD"
			}
		}
		out = append(out, l)
		if in(t.Duplicate, l.ProviderRef) {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ProviderRef < out[j].ProviderRef })
	return out
}
