// Package demand keeps each SKU's daily demand history in the Analytics
// table from order events: units and revenue per day (in the shop's
// business time zone), per SKU and per SKU and location, net of refunds.
// Days without sales read as zeros. The forecasts and reorder points read
// it.
//
//	pk DEMAND#<sku>            sk DAY#<yyyy-mm-dd>   units, revenue
//	pk DEMAND#<sku>#<location> sk DAY#<yyyy-mm-dd>   units, revenue
package demand

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
)

// DB is the part of the DynamoDB client the store uses.
type DB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// Store is the demand history.
type Store struct {
	DB    DB
	Table string
	// Zone is the business time zone days are counted in.
	Zone *time.Location
	// Inbox drops events already counted (same table).
	Inbox *outbox.Inbox
}

// Day is one day's demand.
type Day struct {
	Date    string `json:"date"`
	Units   int64  `json:"units"`
	Revenue int64  `json:"revenue"`
}

// delta is a change to one day of one series.
type delta struct {
	pk      string
	day     string
	units   int64
	revenue int64
}

// Apply counts one order event once: a payment adds its lines' units and
// revenue (per SKU and per source location) on the day it was paid; a
// succeeded refund takes its amount off the lines' revenue in proportion
// (and, when it completes the order's refund, their units); a refund that
// failed after succeeding puts them back. Other events are ignored.
func (s *Store) Apply(ctx context.Context, e outbox.Event) error {
	var ds []delta
	var err error
	switch e.Type {
	case checkout.TypeOrderPaid:
		ds, err = s.paid(e)
	case checkout.TypeRefundSucceeded:
		ds, err = s.refunded(e, -1)
	case checkout.TypeRefundFailed:
		ds, err = s.refunded(e, +1)
	default:
		return nil
	}
	if err != nil || len(ds) == 0 {
		return err
	}
	items := []types.TransactWriteItem{s.Inbox.MarkItem(e.ID)}
	for _, d := range ds {
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName: &s.Table, Key: dynamo.Key(d.pk, "DAY#"+d.day),
			UpdateExpression: aws.String("ADD units :u, revenue :r"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":u": &types.AttributeValueMemberN{Value: strconv.FormatInt(d.units, 10)},
				":r": &types.AttributeValueMemberN{Value: strconv.FormatInt(d.revenue, 10)},
			},
		}})
	}
	err = dynamo.Transact(ctx, s.DB, items)
	if failed, ok := dynamo.Failed(err); ok {
		if _, seen := failed[0]; seen {
			return nil // counted already
		}
	}
	if err != nil {
		return fmt.Errorf("demand: count %s: %w", e.ID, err)
	}
	return nil
}

func (s *Store) day(t time.Time) string { return t.In(s.Zone).Format("2006-01-02") }

func (s *Store) paid(e outbox.Event) ([]delta, error) {
	var p checkout.OrderPaid
	if err := json.Unmarshal(e.Data, &p); err != nil {
		return nil, fmt.Errorf("demand: decode %s: %w", e.ID, err)
	}
	at := p.PaidAt
	if at.IsZero() {
		at = e.OccurredAt
	}
	return lineDeltas(p.Lines, s.day(at), nil, 1), nil
}

func (s *Store) refunded(e outbox.Event, sign int64) ([]delta, error) {
	var r checkout.RefundChanged
	if err := json.Unmarshal(e.Data, &r); err != nil {
		return nil, fmt.Errorf("demand: decode %s: %w", e.ID, err)
	}
	if r.Origin == order.RefundLatePayment || r.Total.Amount == 0 {
		return nil, nil // never counted as a sale
	}
	// Revenue back in proportion to the lines' totals; units only when the
	// whole order goes back (a refund does not say which units).
	var basis []money.Money
	for _, l := range r.Lines {
		basis = append(basis, l.Total)
	}
	pieces, err := settle.SplitRefund(r.Amount, basis)
	if err != nil {
		return nil, fmt.Errorf("demand: refund %s: %w", r.RefundID, err)
	}
	parts := make([]int64, len(pieces))
	for i, p := range pieces {
		parts[i] = p.Amount
	}
	// The refund that completes the order (or, failing, un-completes it)
	// moves the units: every unit went back.
	full := r.Refunded.Amount == r.Total.Amount
	if sign > 0 {
		full = r.Refunded.Amount+r.Amount.Amount == r.Total.Amount
	}
	ds := lineDeltas(r.Lines, s.day(e.OccurredAt), parts, sign)
	if !full {
		for i := range ds {
			ds[i].units = 0
		}
	}
	return ds, nil
}

// lineDeltas are the lines' changes per SKU and per SKU and location;
// revenue is each line's total unless given.
func lineDeltas(lines []order.Line, day string, revenue []int64, sign int64) []delta {
	var out []delta
	for i, l := range lines {
		rev := l.Total.Amount
		if revenue != nil {
			rev = revenue[i]
		}
		out = append(out, delta{pk: "DEMAND#" + l.SKUID, day: day, units: sign * l.Quantity, revenue: sign * rev})
		for _, src := range l.Sources {
			share := rev * src.Quantity / max(1, l.Quantity)
			out = append(out, delta{pk: "DEMAND#" + l.SKUID + "#" + src.LocationID, day: day, units: sign * src.Quantity, revenue: sign * share})
		}
	}
	return out
}

// History returns the series' days in [from, to] (dates), oldest first,
// with zeros for days without sales. location "" is the SKU's total.
func (s *Store) History(ctx context.Context, sku, location string, from, to time.Time) ([]Day, error) {
	pk := "DEMAND#" + sku
	if location != "" {
		pk += "#" + location
	}
	f, t := from.In(s.Zone).Format("2006-01-02"), to.In(s.Zone).Format("2006-01-02")
	got := map[string]Day{}
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName: &s.Table, KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :f AND :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(pk), ":f": dynamo.S("DAY#" + f), ":t": dynamo.S("DAY#" + t)},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("demand: history of %s: %w", pk, err)
		}
		for _, item := range page.Items {
			sk, _ := item["sk"].(*types.AttributeValueMemberS)
			if sk == nil {
				continue
			}
			d := sk.Value[len("DAY#"):]
			got[d] = Day{Date: d, Units: dynamo.Num(item, "units"), Revenue: dynamo.Num(item, "revenue")}
		}
	}
	var out []Day
	start, _ := time.ParseInLocation("2006-01-02", f, s.Zone)
	end, _ := time.ParseInLocation("2006-01-02", t, s.Zone)
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		key := d.Format("2006-01-02")
		day, ok := got[key]
		if !ok {
			day = Day{Date: key}
		}
		out = append(out, day)
	}
	return out, nil
}

// Series is one series' days, for seeding history.
type Series struct {
	SKU, Location string
	Days          []Day
}

// Seed writes whole days of history (a demo's, or one imported from
// another system), replacing the days it names; days without sales are
// not written (they read as zeros).
func (s *Store) Seed(ctx context.Context, series []Series) error {
	var items []map[string]types.AttributeValue
	for _, se := range series {
		pk := "DEMAND#" + se.SKU
		if se.Location != "" {
			pk += "#" + se.Location
		}
		for _, d := range se.Days {
			if d.Units == 0 && d.Revenue == 0 {
				continue
			}
			it := dynamo.Key(pk, "DAY#"+d.Date)
			it["units"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(d.Units, 10)}
			it["revenue"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(d.Revenue, 10)}
			items = append(items, it)
		}
	}
	if err := dynamo.PutAll(ctx, s.DB, s.Table, items); err != nil {
		return fmt.Errorf("demand: seed: %w", err)
	}
	return nil
}
