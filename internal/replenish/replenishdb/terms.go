package replenishdb

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// MaxUnits bounds a SKU's pack size and minimum order.
const MaxUnits = 100_000

// Terms are one SKU's supplier terms: its own lead time (mean and
// deviation, days), the pack it is ordered in and the least that can be
// ordered. An absent field inherits the merchant's policy (lead times) or
// means none (pack size, minimum order).
type Terms struct {
	LeadTimeDays *float64 `json:"leadTimeDays,omitempty" dynamodbav:"leadTimeDays,omitempty"`
	LeadTimeSD   *float64 `json:"leadTimeSd,omitempty" dynamodbav:"leadTimeSd,omitempty"`
	PackSize     *int64   `json:"packSize,omitempty" dynamodbav:"packSize,omitempty"`
	MinOrder     *int64   `json:"minOrder,omitempty" dynamodbav:"minOrder,omitempty"`
}

// Empty reports whether t sets nothing.
func (t Terms) Empty() bool {
	return t.LeadTimeDays == nil && t.LeadTimeSD == nil && t.PackSize == nil && t.MinOrder == nil
}

// Validate names the first field out of range, with the ranges of
// Policy.Validate for the lead times: lead time 1–365 days, its deviation
// from 0 to the lead time (the SKU's own, else that of pol, the policy in
// force); pack size and minimum order whole numbers from 0 to 100,000.
// At least one field must be set.
func (t Terms) Validate(pol Policy) error {
	lead := pol.LeadTimeDays
	switch {
	case t.Empty():
		return problem.New(problem.Invalid, "set at least one of leadTimeDays, leadTimeSd, packSize, minOrder")
	case t.LeadTimeDays != nil && !(*t.LeadTimeDays >= 1 && *t.LeadTimeDays <= 365):
		return problem.Field("leadTimeDays", "leadTimeDays must be from 1 to 365")
	}
	if t.LeadTimeDays != nil {
		lead = *t.LeadTimeDays
	}
	switch {
	case t.LeadTimeSD != nil && !(*t.LeadTimeSD >= 0 && *t.LeadTimeSD <= lead):
		return problem.Field("leadTimeSd", fmt.Sprintf("leadTimeSd must be from 0 to the lead time (%g days)", lead))
	case t.PackSize != nil && (*t.PackSize < 0 || *t.PackSize > MaxUnits):
		return problem.Field("packSize", "packSize must be a whole number from 0 to 100000")
	case t.MinOrder != nil && (*t.MinOrder < 0 || *t.MinOrder > MaxUnits):
		return problem.Field("minOrder", "minOrder must be a whole number from 0 to 100000")
	}
	return nil
}

// Effective is what a plan orders under: the merchant's policy with the
// SKU's lead time in place of its own, and the SKU's pack size and minimum
// order (0: none).
type Effective struct {
	Policy
	PackSize float64 `json:"packSize" dynamodbav:"packSize"`
	MinOrder float64 `json:"minOrder" dynamodbav:"minOrder"`
}

// Apply returns pol overridden by t. A deviation the SKU does not set is
// the policy's, capped at the SKU's own lead time.
func (t Terms) Apply(pol Policy) Effective {
	e := Effective{Policy: pol}
	if t.LeadTimeDays != nil {
		e.LeadTimeDays = *t.LeadTimeDays
		e.LeadTimeSD = min(e.LeadTimeSD, e.LeadTimeDays)
	}
	if t.LeadTimeSD != nil {
		e.LeadTimeSD = *t.LeadTimeSD
	}
	if t.PackSize != nil {
		e.PackSize = float64(*t.PackSize)
	}
	if t.MinOrder != nil {
		e.MinOrder = float64(*t.MinOrder)
	}
	return e
}

// SKUTerms are a SKU's terms as stored.
type SKUTerms struct {
	SKUID string `json:"skuId" dynamodbav:"skuId"`
	Terms
	UpdatedAt time.Time `json:"updatedAt" dynamodbav:"updatedAt"`
	UpdatedBy string    `json:"updatedBy" dynamodbav:"updatedBy"`
}

func termsKey(merchantID, skuID string) map[string]types.AttributeValue {
	return dynamo.Key(planPK(merchantID), "TERMS#"+skuID)
}

// PutTerms replaces the SKU's terms (the next run plans with them). The
// caller checks that the SKU is the merchant's and validates t against
// the policy in force.
func (s *Store) PutTerms(ctx context.Context, merchantID string, t SKUTerms) error {
	av, err := attributevalue.MarshalMap(t)
	if err != nil {
		return fmt.Errorf("replenishdb: encode terms: %w", err)
	}
	for k, v := range termsKey(merchantID, t.SKUID) {
		av[k] = v
	}
	if _, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.Table, Item: av}); err != nil {
		return fmt.Errorf("replenishdb: put terms of %s: %w", t.SKUID, err)
	}
	return nil
}

// Terms reads the terms of the merchant's SKUs that have any, by SKU id,
// strongly consistent (BatchGetItem).
func (s *Store) Terms(ctx context.Context, merchantID string, skuIDs []string) (map[string]SKUTerms, error) {
	keys := make([]map[string]types.AttributeValue, 0, len(skuIDs))
	seen := map[string]bool{}
	for _, id := range skuIDs {
		if !seen[id] {
			seen[id] = true
			keys = append(keys, termsKey(merchantID, id))
		}
	}
	items, err := dynamo.BatchGet(ctx, s.DB, s.Table, keys, true)
	if err != nil {
		return nil, fmt.Errorf("replenishdb: read terms of %s: %w", merchantID, err)
	}
	out := make(map[string]SKUTerms, len(items))
	for _, it := range items {
		var t SKUTerms
		if err := attributevalue.UnmarshalMap(it, &t); err != nil {
			return nil, fmt.Errorf("replenishdb: decode terms: %w", err)
		}
		out[t.SKUID] = t
	}
	return out, nil
}
