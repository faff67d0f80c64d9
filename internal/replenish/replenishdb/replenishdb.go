// Package replenishdb keeps replenishment in the Analytics table: what
// the nightly forecast run decides (each merchant's plan per SKU and
// location, and each run's progress, counted once per batch however often
// the queue delivers it) and what it decides from besides demand: the
// merchant's policy, each SKU's supplier terms and the purchase orders
// still to arrive.
//
//	pk REPLENISH#<merchant>  sk PLAN#<sku>#<location>  a Plan (location "-" for a SKU stocked in one place)
//	pk REPLENISH#<merchant>  sk POLICY                  the merchant's Policy
//	pk REPLENISH#<merchant>  sk TERMS#<sku>             a SKU's supplier Terms
//	pk REPLENISH#<merchant>  sk PO#<id>                 a PurchaseOrder
//	pk REPLENISH#<merchant>  sk OPENPO#<id>             a copy of it while it is open (what the nightly run reads)
//	pk FORECASTRUN#<run>     sk RUN                    batches, done, series, planned, skipped, failed, times
//	pk FORECASTRUN#<run>     sk BATCH#<n>              batch n counted (expires)
//	pk FORECASTRUN           sk LATEST                 the latest run's id
package replenishdb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// DB is the part of the DynamoDB client the store uses.
type DB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store reads and writes plans and runs.
type Store struct {
	DB    DB
	Table string
}

// Plan is what to do about one SKU at one location.
type Plan struct {
	MerchantID string `json:"-" dynamodbav:"merchantId"`
	SKUID      string `json:"skuId" dynamodbav:"skuId"`
	ProductID  string `json:"productId" dynamodbav:"productId"`
	Product    string `json:"product" dynamodbav:"product"`
	// Location is the warehouse or store the plan is for; empty for a SKU
	// stocked in one place.
	Location string `json:"location,omitempty" dynamodbav:"location,omitempty"`
	// Model is the forecast model the backtest chose; Note says when it
	// fell back to a simpler one.
	Model string `json:"model" dynamodbav:"model"`
	Note  string `json:"note,omitempty" dynamodbav:"note,omitempty"`
	// DailyMean and DailySD are forecast daily demand over the lead time
	// and review period; Intermittent marks demand with many zero days.
	DailyMean    float64 `json:"dailyMean" dynamodbav:"dailyMean"`
	DailySD      float64 `json:"dailySd" dynamodbav:"dailySd"`
	Intermittent bool    `json:"intermittent" dynamodbav:"intermittent"`
	// Effective is the policy the decision used, with the SKU's supplier
	// terms (lead time, pack size, minimum order) in place of the
	// merchant's; SKUTerms says the SKU has terms of its own.
	Effective
	SKUTerms bool `json:"skuTerms" dynamodbav:"skuTerms"`
	// OnHand is the stock at the location when the plan was made.
	OnHand float64 `json:"onHand" dynamodbav:"onHand"`
	// OnOrder is what open purchase orders bring to the location by the
	// end of the plan's horizon (lead time plus review period): counted in
	// the stock position. OnOrderLater is what they bring after it, not
	// counted.
	OnOrder      float64 `json:"onOrder" dynamodbav:"onOrder"`
	OnOrderLater float64 `json:"onOrderLater" dynamodbav:"onOrderLater"`
	// The decision (see replenish.Decision).
	SafetyStock   float64 `json:"safetyStock" dynamodbav:"safetyStock"`
	ReorderPoint  float64 `json:"reorderPoint" dynamodbav:"reorderPoint"`
	Distribution  string  `json:"distribution" dynamodbav:"distribution"`
	OrderQuantity float64 `json:"orderQuantity" dynamodbav:"orderQuantity"`
	// OrderBy is the day (business time zone) to order by; empty when
	// there is no demand to order for.
	OrderBy string `json:"orderBy,omitempty" dynamodbav:"orderBy,omitempty"`
	// DaysOfCover is how long the stock lasts at mean demand (-1: no demand).
	DaysOfCover float64   `json:"daysOfCover" dynamodbav:"daysOfCover"`
	RunID       string    `json:"runId" dynamodbav:"runId"`
	ComputedAt  time.Time `json:"computedAt" dynamodbav:"computedAt"`
}

type planItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Plan
}

func planPK(merchantID string) string { return "REPLENISH#" + merchantID }

func planSK(skuID, location string) string {
	if location == "" {
		location = "-"
	}
	return "PLAN#" + skuID + "#" + location
}

// PutPlans writes plans, replacing the earlier plans of the same SKU and
// location (a redelivered batch writes the same plans again).
func (s *Store) PutPlans(ctx context.Context, plans []Plan) error {
	items := make([]map[string]types.AttributeValue, 0, len(plans))
	for _, p := range plans {
		av, err := attributevalue.MarshalMap(planItem{PK: planPK(p.MerchantID), SK: planSK(p.SKUID, p.Location), Plan: p})
		if err != nil {
			return fmt.Errorf("replenishdb: encode plan %s: %w", p.SKUID, err)
		}
		items = append(items, av)
	}
	if err := dynamo.PutAll(ctx, s.DB, s.Table, items); err != nil {
		return fmt.Errorf("replenishdb: write plans: %w", err)
	}
	return nil
}

// ErrBadCursor is a cursor this store did not hand out for the merchant.
var ErrBadCursor = problem.Field("cursor", "cursor is not one this API returned for you")

// Page is a page of a merchant's plans, in SKU order.
type Page struct {
	Plans []Plan `json:"plans"`
	Next  string `json:"next,omitempty"`
}

// Filter narrows a merchant's plans.
type Filter struct {
	// DueBy keeps the plans to order by this day (yyyy-mm-dd), "" all.
	DueBy string
	// Location keeps one location's plans, "" all.
	Location string
}

// Plans returns a page of the merchant's plans that pass f, in SKU and
// location order, from the cursor a previous page returned; limit (1–500)
// bounds the plans read for the page, so a filtered page may hold fewer
// and still have a next one.
func (s *Store) Plans(ctx context.Context, merchantID string, f Filter, cursor string, limit int) (Page, error) {
	pk := planPK(merchantID)
	key := expression.Key("pk").Equal(expression.Value(pk)).And(expression.Key("sk").BeginsWith("PLAN#"))
	b := expression.NewBuilder().WithKeyCondition(key)
	var cond *expression.ConditionBuilder
	and := func(c expression.ConditionBuilder) {
		if cond == nil {
			cond = &c
		} else {
			next := cond.And(c)
			cond = &next
		}
	}
	if f.DueBy != "" {
		and(expression.Name("orderBy").LessThanEqual(expression.Value(f.DueBy)))
	}
	if f.Location != "" {
		and(expression.Name("location").Equal(expression.Value(f.Location)))
	}
	if cond != nil {
		b = b.WithFilter(*cond)
	}
	expr, err := b.Build()
	if err != nil {
		return Page{}, fmt.Errorf("replenishdb: plans query: %w", err)
	}
	in := &dynamodb.QueryInput{
		TableName: &s.Table, KeyConditionExpression: expr.KeyCondition(), FilterExpression: expr.Filter(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		Limit: aws.Int32(int32(limit)),
	}
	if cursor != "" {
		start, ok := dynamo.DecodeCursor(cursor, "pk", pk, "pk", "sk")
		if !ok {
			return Page{}, ErrBadCursor
		}
		in.ExclusiveStartKey = start
	}
	out, err := s.DB.Query(ctx, in)
	if err != nil {
		return Page{}, fmt.Errorf("replenishdb: plans of %s: %w", merchantID, err)
	}
	page := Page{Plans: []Plan{}}
	for _, it := range out.Items {
		var p planItem
		if err := attributevalue.UnmarshalMap(it, &p); err != nil {
			return Page{}, fmt.Errorf("replenishdb: decode plan: %w", err)
		}
		page.Plans = append(page.Plans, p.Plan)
	}
	page.Next = dynamo.EncodeCursor(out.LastEvaluatedKey)
	return page, nil
}

// Run is one nightly run's progress.
type Run struct {
	ID      string `json:"id" dynamodbav:"id"`
	Batches int64  `json:"batches" dynamodbav:"batches"`
	// Done counts the batches finished (each once).
	Done int64 `json:"done" dynamodbav:"done"`
	SKUs int64 `json:"skus" dynamodbav:"skus"`
	// Series is how many SKU-location series were forecast; Planned how
	// many got a plan; Skipped had no sales to forecast from; Failed could
	// not be forecast (logged).
	Series     int64      `json:"series" dynamodbav:"series"`
	Planned    int64      `json:"planned" dynamodbav:"planned"`
	Skipped    int64      `json:"skipped" dynamodbav:"skipped"`
	Failed     int64      `json:"failed" dynamodbav:"failed"`
	StartedAt  time.Time  `json:"startedAt" dynamodbav:"startedAt"`
	FinishedAt *time.Time `json:"finishedAt,omitempty" dynamodbav:"finishedAt,omitempty"`
}

// Finished reports whether every batch of the run has been counted.
func (r Run) Finished() bool { return r.Batches > 0 && r.Done >= r.Batches }

// Tally is what one batch did.
type Tally struct{ Series, Planned, Skipped, Failed int64 }

func runKey(id string) map[string]types.AttributeValue { return dynamo.Key("FORECASTRUN#"+id, "RUN") }

var latestKey = dynamo.Key("FORECASTRUN", "LATEST")

// StartRun records a run of batches over skus and makes it the latest.
func (s *Store) StartRun(ctx context.Context, r Run) error {
	av, err := attributevalue.MarshalMap(r)
	if err != nil {
		return fmt.Errorf("replenishdb: encode run: %w", err)
	}
	for k, v := range runKey(r.ID) {
		av[k] = v
	}
	latest := maps.Clone(latestKey)
	latest["runId"] = dynamo.S(r.ID)
	err = dynamo.Transact(ctx, s.DB, []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.Table, Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Put: &types.Put{TableName: &s.Table, Item: latest}},
	})
	if err != nil {
		return fmt.Errorf("replenishdb: start run %s: %w", r.ID, err)
	}
	return nil
}

// batchTTL is how long a batch's counted mark outlives it: longer than the
// queue keeps a message.
const batchTTL = 8 * 24 * time.Hour

// ErrCounted means the batch was counted already (a redelivery).
var ErrCounted = errors.New("replenishdb: batch counted already")

// FinishBatch counts batch n of the run once, with what it did, and
// returns the run as it stands after. Returns ErrCounted for a batch
// counted before.
func (s *Store) FinishBatch(ctx context.Context, runID string, n int, tally Tally, now time.Time) (Run, error) {
	mark := dynamo.Key("FORECASTRUN#"+runID, "BATCH#"+strconv.Itoa(n))
	mark["ttl"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(batchTTL).Unix(), 10)}
	num := func(v int64) types.AttributeValue {
		return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
	}
	err := dynamo.Transact(ctx, s.DB, []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.Table, Item: mark, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Update: &types.Update{
			TableName: &s.Table, Key: runKey(runID),
			UpdateExpression:    aws.String("ADD done :one, series :s, planned :p, skipped :k, failed :f"),
			ConditionExpression: aws.String("attribute_exists(pk)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":one": num(1), ":s": num(tally.Series), ":p": num(tally.Planned), ":k": num(tally.Skipped), ":f": num(tally.Failed),
			},
		}},
	})
	if failed, ok := dynamo.Failed(err); ok {
		if _, seen := failed[0]; seen {
			return Run{}, ErrCounted
		}
		return Run{}, fmt.Errorf("replenishdb: run %s is unknown: %w", runID, err)
	}
	if err != nil {
		return Run{}, fmt.Errorf("replenishdb: count batch %d of %s: %w", n, runID, err)
	}
	r, err := s.Run(ctx, runID)
	if err != nil {
		return Run{}, err
	}
	if r.Finished() && r.FinishedAt == nil {
		// The last batch stamps the finish, once: two last batches racing
		// both read back the first stamp.
		out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &s.Table, Key: runKey(runID), ReturnValues: types.ReturnValueAllNew,
			UpdateExpression:          aws.String("SET finishedAt = if_not_exists(finishedAt, :t)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":t": dynamo.S(now.UTC().Format(time.RFC3339Nano))},
		})
		if err != nil {
			return Run{}, fmt.Errorf("replenishdb: finish run %s: %w", runID, err)
		}
		if err := attributevalue.UnmarshalMap(out.Attributes, &r); err != nil {
			return Run{}, fmt.Errorf("replenishdb: decode run %s: %w", runID, err)
		}
	}
	return r, nil
}

// get reads the item at key into v; ok is false when there is none.
func (s *Store) get(ctx context.Context, key map[string]types.AttributeValue, v any) (ok bool, err error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.Table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		return false, err
	}
	return true, attributevalue.UnmarshalMap(out.Item, v)
}

// ErrNoRun means there is no such run (or none yet).
var ErrNoRun = errors.New("replenishdb: no such run")

// Run reads a run.
func (s *Store) Run(ctx context.Context, id string) (Run, error) {
	var r Run
	ok, err := s.get(ctx, runKey(id), &r)
	if err != nil {
		return Run{}, fmt.Errorf("replenishdb: read run %s: %w", id, err)
	}
	if !ok {
		return Run{}, ErrNoRun
	}
	return r, nil
}

// Latest reads the latest run. Returns ErrNoRun before the first.
func (s *Store) Latest(ctx context.Context) (Run, error) {
	var latest struct {
		RunID string `dynamodbav:"runId"`
	}
	ok, err := s.get(ctx, latestKey, &latest)
	if err != nil {
		return Run{}, fmt.Errorf("replenishdb: read latest run: %w", err)
	}
	if !ok || latest.RunID == "" {
		return Run{}, ErrNoRun
	}
	return s.Run(ctx, latest.RunID)
}

// Policy is a merchant's replenishment policy: its suppliers' lead time
// (mean and standard deviation, days), the target cycle service level and
// how often it orders (days).
// The env tags give the default policy, for merchants that have set none
// (config.Load[Policy]).
type Policy struct {
	LeadTimeDays float64 `json:"leadTimeDays" dynamodbav:"leadTimeDays" env:"JIAOYI_REPLENISH_LEAD_DAYS" envDefault:"7"`
	LeadTimeSD   float64 `json:"leadTimeSd" dynamodbav:"leadTimeSd" env:"JIAOYI_REPLENISH_LEAD_SD" envDefault:"2"`
	ServiceLevel float64 `json:"serviceLevel" dynamodbav:"serviceLevel" env:"JIAOYI_REPLENISH_SERVICE_LEVEL" envDefault:"0.95"`
	ReviewDays   float64 `json:"reviewDays" dynamodbav:"reviewDays" env:"JIAOYI_REPLENISH_REVIEW_DAYS" envDefault:"7"`
}

// Validate names the first field out of range: lead time 1–365 days, its
// deviation 0 to the lead time, service level 0.5–0.9999, review 1–90 days.
func (p Policy) Validate() error {
	switch {
	case !(p.LeadTimeDays >= 1 && p.LeadTimeDays <= 365):
		return problem.Field("leadTimeDays", "leadTimeDays must be from 1 to 365")
	case !(p.LeadTimeSD >= 0 && p.LeadTimeSD <= p.LeadTimeDays):
		return problem.Field("leadTimeSd", "leadTimeSd must be from 0 to leadTimeDays")
	case !(p.ServiceLevel >= 0.5 && p.ServiceLevel <= 0.9999):
		return problem.Field("serviceLevel", "serviceLevel must be from 0.5 to 0.9999")
	case !(p.ReviewDays >= 1 && p.ReviewDays <= 90):
		return problem.Field("reviewDays", "reviewDays must be from 1 to 90")
	}
	return nil
}

func policyKey(merchantID string) map[string]types.AttributeValue {
	return dynamo.Key(planPK(merchantID), "POLICY")
}

// PutPolicy sets the merchant's policy (the next run plans with it).
func (s *Store) PutPolicy(ctx context.Context, merchantID string, p Policy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	av, err := attributevalue.MarshalMap(p)
	if err != nil {
		return fmt.Errorf("replenishdb: encode policy: %w", err)
	}
	for k, v := range policyKey(merchantID) {
		av[k] = v
	}
	if _, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.Table, Item: av}); err != nil {
		return fmt.Errorf("replenishdb: put policy of %s: %w", merchantID, err)
	}
	return nil
}

// Policy reads the merchant's policy; ok is false when it has set none.
func (s *Store) Policy(ctx context.Context, merchantID string) (p Policy, ok bool, err error) {
	ok, err = s.get(ctx, policyKey(merchantID), &p)
	if err != nil {
		return Policy{}, false, fmt.Errorf("replenishdb: read policy of %s: %w", merchantID, err)
	}
	return p, ok, nil
}
