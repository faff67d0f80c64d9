package catalog

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// MerchantPrefix is the id prefix of merchants.
const MerchantPrefix = "mch"

// ErrMerchantNotFound is an unknown merchant.
var ErrMerchantNotFound = problem.New(problem.NotFound, "merchant not found")

// FeeSchedule is what the platform charges a merchant per order: basis
// points of the order's lines plus a fixed amount per order, with
// per-category overrides of the basis points.
type FeeSchedule struct {
	BasisPoints         int64            `json:"basisPoints" dynamodbav:"basisPoints"`
	Fixed               money.Money      `json:"fixed" dynamodbav:"fixed"`
	CategoryBasisPoints map[string]int64 `json:"categoryBasisPoints,omitempty" dynamodbav:"categoryBasisPoints,omitempty"`
}

// Merchant sells through jiaoyi: it owns products, stores and warehouses,
// and is settled daily in its currency, for the business day that ends at
// its cutoff in its time zone.
type Merchant struct {
	ID   string `json:"id" dynamodbav:"id"`
	Name Text   `json:"name" dynamodbav:"name"`
	// Currency is the settlement currency (ISO 4217).
	Currency string `json:"currency" dynamodbav:"currency"`
	// TimeZone is an IANA zone; Cutoff is "HH:MM" local, when its business day ends.
	TimeZone string      `json:"timeZone" dynamodbav:"timeZone"`
	Cutoff   string      `json:"cutoff" dynamodbav:"cutoff"`
	Fees     FeeSchedule `json:"fees" dynamodbav:"fees"`
	// PayoutAccount references the bank account payouts go to (never the number itself).
	PayoutAccount string    `json:"payoutAccount" dynamodbav:"payoutAccount"`
	CreatedAt     time.Time `json:"createdAt" dynamodbav:"createdAt"`
}

var cutoffPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// Validate checks a merchant's invariants before it is stored.
func (m Merchant) Validate() error {
	var bad []string
	if !id.Valid(MerchantPrefix, m.ID) {
		bad = append(bad, "id")
	}
	if strings.TrimSpace(m.Name.ZH) == "" || strings.TrimSpace(m.Name.EN) == "" {
		bad = append(bad, "name")
	}
	if _, ok := money.Exponent(m.Currency); !ok {
		bad = append(bad, "currency")
	}
	if _, err := time.LoadLocation(m.TimeZone); err != nil || m.TimeZone == "" {
		bad = append(bad, "timeZone")
	}
	if !cutoffPattern.MatchString(m.Cutoff) {
		bad = append(bad, "cutoff")
	}
	if m.Fees.BasisPoints < 0 || m.Fees.BasisPoints > 10000 || m.Fees.Fixed.Amount < 0 || (m.Fees.Fixed.Amount > 0 && m.Fees.Fixed.Currency != m.Currency) {
		bad = append(bad, "fees")
	}
	for _, bp := range m.Fees.CategoryBasisPoints {
		if bp < 0 || bp > 10000 {
			bad = append(bad, "fees.categoryBasisPoints")
			break
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("catalog: merchant %s: invalid %s", m.ID, strings.Join(bad, ", "))
	}
	return nil
}

// MerchantKey is the key of a merchant's item.
func MerchantKey(id string) map[string]types.AttributeValue { return key("MERCHANT#"+id, skMerchant) }

type merchantItem struct {
	keys
	Merchant
}

// Merchant returns a merchant. Returns ErrMerchantNotFound.
func (r *Repository) Merchant(ctx context.Context, merchantID string) (Merchant, error) {
	out, err := r.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &r.table, Key: MerchantKey(merchantID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Merchant{}, fmt.Errorf("get merchant %s: %w", merchantID, err)
	}
	if out.Item == nil {
		return Merchant{}, ErrMerchantNotFound
	}
	var it merchantItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return Merchant{}, fmt.Errorf("decode merchant %s: %w", merchantID, err)
	}
	return it.Merchant, nil
}

// merchantsPartition is the gsi1 partition that lists every merchant.
const merchantsPartition = "MERCHANTS"

// Merchants returns every merchant in id order (settlement runs over them).
func (r *Repository) Merchants(ctx context.Context) ([]Merchant, error) {
	p := dynamodb.NewQueryPaginator(r.db, &dynamodb.QueryInput{
		TableName: &r.table, IndexName: aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: merchantsPartition}},
	})
	var out []Merchant
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list merchants: %w", err)
		}
		for _, item := range page.Items {
			var it merchantItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, fmt.Errorf("decode merchant: %w", err)
			}
			out = append(out, it.Merchant)
		}
	}
	return out, nil
}
