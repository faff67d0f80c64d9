package replenishdb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// PurchaseOrderPrefix is the id prefix of purchase orders.
const PurchaseOrderPrefix = "po"

// Purchase order statuses: open until all of it is received (received)
// or the rest is called off (cancelled).
const (
	Open      = "open"
	Received  = "received"
	Cancelled = "cancelled"
)

// Limits of a purchase order.
const (
	MaxPOQuantity  = 1_000_000
	maxReference   = 100
	maxReceipts    = 100
	maxExpectedAgo = 365 * 24 * time.Hour
	maxExpectedIn  = 2 * 365 * 24 * time.Hour
)

// PurchaseOrder is stock a merchant has ordered from its supplier for one
// SKU at one of its locations, expected at a time: open until it is all
// received (each receipt moves its units into the location's stock) or
// cancelled.
type PurchaseOrder struct {
	ID         string    `json:"id" dynamodbav:"id"`
	SKUID      string    `json:"skuId" dynamodbav:"skuId"`
	LocationID string    `json:"locationId" dynamodbav:"locationId"`
	Quantity   int64     `json:"quantity" dynamodbav:"quantity"`
	ExpectedAt time.Time `json:"expectedAt" dynamodbav:"expectedAt"`
	Reference  string    `json:"reference,omitempty" dynamodbav:"reference,omitempty"`
	Status     string    `json:"status" dynamodbav:"status"`
	// Received is the units received so far, in Receipts.
	Received int64     `json:"received" dynamodbav:"received"`
	Receipts []Receipt `json:"receipts" dynamodbav:"receipts"`
	// Open is the units still to arrive (0 once received or cancelled).
	Open        int64      `json:"open" dynamodbav:"open"`
	CreatedAt   time.Time  `json:"createdAt" dynamodbav:"createdAt"`
	CreatedBy   string     `json:"createdBy" dynamodbav:"createdBy"`
	UpdatedAt   time.Time  `json:"updatedAt" dynamodbav:"updatedAt"`
	CancelledAt *time.Time `json:"cancelledAt,omitempty" dynamodbav:"cancelledAt,omitempty"`
	// Version counts the order's changes; each is conditional on it.
	Version int64 `json:"version" dynamodbav:"version"`
}

// Receipt is one delivery against a purchase order.
type Receipt struct {
	ID       string    `json:"id" dynamodbav:"id"`
	Quantity int64     `json:"quantity" dynamodbav:"quantity"`
	At       time.Time `json:"at" dynamodbav:"at"`
	By       string    `json:"by" dynamodbav:"by"`
}

// NewPurchaseOrder returns an open purchase order, or a problem naming
// the field out of range: quantity 1–1,000,000, expected no more than a
// year ago nor over two years ahead of now, reference at most 100
// characters.
func NewPurchaseOrder(poID, skuID, locationID string, quantity int64, expectedAt time.Time, reference, by string, now time.Time) (PurchaseOrder, error) {
	switch {
	case !id.Valid(PurchaseOrderPrefix, poID):
		return PurchaseOrder{}, problem.Field("id", "malformed purchase order id")
	case !id.Valid(id.SKU, skuID):
		return PurchaseOrder{}, problem.Field("skuId", "skuId is malformed: want sku_ followed by 16 characters a-z, 2-7")
	case !catalog.ValidLocationID(locationID):
		return PurchaseOrder{}, problem.Field("locationId", "locationId must be a warehouse (whs_…) or store (sto_…) id")
	case quantity < 1 || quantity > MaxPOQuantity:
		return PurchaseOrder{}, problem.Field("quantity", "quantity must be a whole number from 1 to 1000000")
	case expectedAt.IsZero() || expectedAt.Before(now.Add(-maxExpectedAgo)) || expectedAt.After(now.Add(maxExpectedIn)):
		return PurchaseOrder{}, problem.Field("expectedAt", "expectedAt must be a date or date-time from a year ago to two years ahead")
	case utf8.RuneCountInString(reference) > maxReference || strings.ContainsRune(reference, 0) || !utf8.ValidString(reference):
		return PurchaseOrder{}, problem.Field("reference", "reference must be at most 100 characters")
	}
	now = now.UTC()
	return PurchaseOrder{
		ID: poID, SKUID: skuID, LocationID: locationID, Quantity: quantity, ExpectedAt: expectedAt.UTC(),
		Reference: strings.TrimSpace(reference), Status: Open, Receipts: []Receipt{}, Open: quantity,
		CreatedAt: now, CreatedBy: by, UpdatedAt: now, Version: 1,
	}, nil
}

// Errors of purchase orders.
var (
	ErrPONotFound  = problem.New(problem.NotFound, "purchase order not found")
	ErrPOExists    = problem.New(problem.Conflict, "a purchase order with this id exists")
	ErrPOCancelled = problem.New(problem.Conflict, "the purchase order is cancelled: nothing more can be received")
	ErrPOReceived  = problem.New(problem.Conflict, "the purchase order is received in full")
	ErrOverReceipt = &problem.Error{Code: problem.Conflict, Field: "quantity", Message: "quantity is more than the purchase order still has open"}
	ErrPOBusy      = problem.New(problem.Conflict, "the purchase order or its stock kept changing while it was updated; retry")
	errTooMany     = problem.New(problem.Conflict, "the purchase order has 100 receipts, the most it can hold")
)

// Receive adds a receipt of qty units (0: all that is still open) with
// receipt id rid. Returns ErrPOCancelled, ErrPOReceived (nothing open),
// or ErrOverReceipt.
func (p *PurchaseOrder) Receive(rid string, qty int64, by string, now time.Time) error {
	switch {
	case p.Status == Cancelled:
		return ErrPOCancelled
	case p.Status == Received || p.Open <= 0:
		return ErrPOReceived
	case len(p.Receipts) >= maxReceipts:
		return errTooMany
	case qty == 0:
		qty = p.Open
	case qty > p.Open:
		return ErrOverReceipt.With(map[string]any{"open": p.Open})
	}
	p.Receipts = append(p.Receipts, Receipt{ID: rid, Quantity: qty, At: now.UTC(), By: by})
	p.Received += qty
	p.Open -= qty
	if p.Open == 0 {
		p.Status = Received
	}
	p.UpdatedAt = now.UTC()
	return nil
}

// Receipt returns the receipt with id rid.
func (p PurchaseOrder) Receipt(rid string) (Receipt, bool) {
	for _, r := range p.Receipts {
		if r.ID == rid {
			return r, true
		}
	}
	return Receipt{}, false
}

// Cancel calls off what is still open. Returns ErrPOReceived for an order
// received in full; cancelling a cancelled order is no change.
func (p *PurchaseOrder) Cancel(now time.Time) error {
	switch p.Status {
	case Received:
		return ErrPOReceived
	case Cancelled:
		return ErrNoChange
	}
	now = now.UTC()
	p.Status, p.Open, p.UpdatedAt, p.CancelledAt = Cancelled, 0, now, &now
	return nil
}

type poItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	PurchaseOrder
}

func poSK(poID string) string     { return "PO#" + poID }
func openPOSK(poID string) string { return "OPENPO#" + poID }

func (s *Store) poWrite(merchantID, sk string, po PurchaseOrder) (*types.Put, error) {
	av, err := attributevalue.MarshalMap(poItem{PK: planPK(merchantID), SK: sk, PurchaseOrder: po})
	if err != nil {
		return nil, fmt.Errorf("replenishdb: encode purchase order %s: %w", po.ID, err)
	}
	return &types.Put{TableName: &s.Table, Item: av}, nil
}

// CreatePurchaseOrder stores a new open purchase order of the merchant.
// Returns ErrPOExists if its id is taken.
func (s *Store) CreatePurchaseOrder(ctx context.Context, merchantID string, po PurchaseOrder) error {
	put, err := s.poWrite(merchantID, poSK(po.ID), po)
	if err != nil {
		return err
	}
	put.ConditionExpression = aws.String("attribute_not_exists(pk)")
	open, err := s.poWrite(merchantID, openPOSK(po.ID), po)
	if err != nil {
		return err
	}
	err = dynamo.Transact(ctx, s.DB, []types.TransactWriteItem{{Put: put}, {Put: open}})
	if _, ok := dynamo.Failed(err); ok {
		return ErrPOExists
	}
	if err != nil {
		return fmt.Errorf("replenishdb: create purchase order %s: %w", po.ID, err)
	}
	return nil
}

// PurchaseOrder reads one of the merchant's purchase orders. Returns
// ErrPONotFound if the merchant has none with that id.
func (s *Store) PurchaseOrder(ctx context.Context, merchantID, poID string) (PurchaseOrder, error) {
	var it poItem
	ok, err := s.get(ctx, dynamo.Key(planPK(merchantID), poSK(poID)), &it)
	if err != nil {
		return PurchaseOrder{}, fmt.Errorf("replenishdb: read purchase order %s: %w", poID, err)
	}
	if !ok {
		return PurchaseOrder{}, ErrPONotFound
	}
	return it.PurchaseOrder, nil
}

// ErrNoChange, returned by an update's closure, leaves the purchase order
// as it is: the update answers it unchanged.
var ErrNoChange = errors.New("replenishdb: no change")

// poAttempts bounds the reads and conditional writes of one update.
const poAttempts = 8

// UpdatePurchaseOrder reads the merchant's purchase order, lets fn change
// it and name more writes to make with the change (a receipt's stock),
// and writes them all in one transaction conditional on the order's
// version being the one read; on a race it reads again and calls fn
// again. fn returning ErrNoChange answers the order unchanged; any other
// error is returned. Returns the order as written, ErrPONotFound, or
// ErrPOBusy when it kept changing.
func (s *Store) UpdatePurchaseOrder(ctx context.Context, merchantID, poID string,
	fn func(ctx context.Context, po *PurchaseOrder) ([]types.TransactWriteItem, error)) (PurchaseOrder, error) {
	for attempt := range poAttempts {
		if attempt > 0 {
			// Racing updates: let the winner's write land before reading again.
			select {
			case <-ctx.Done():
				return PurchaseOrder{}, ctx.Err()
			case <-time.After(time.Duration(rand.Int64N(int64(5*time.Millisecond) << attempt))):
			}
		}
		po, err := s.PurchaseOrder(ctx, merchantID, poID)
		if err != nil {
			return PurchaseOrder{}, err
		}
		version := po.Version
		extra, err := fn(ctx, &po)
		if errors.Is(err, ErrNoChange) {
			return po, nil
		}
		if err != nil {
			return PurchaseOrder{}, err
		}
		po.Version = version + 1
		put, err := s.poWrite(merchantID, poSK(poID), po)
		if err != nil {
			return PurchaseOrder{}, err
		}
		expr, err := expression.NewBuilder().WithCondition(expression.Name("version").Equal(expression.Value(version))).Build()
		if err != nil {
			return PurchaseOrder{}, err
		}
		put.ConditionExpression, put.ExpressionAttributeNames, put.ExpressionAttributeValues = expr.Condition(), expr.Names(), expr.Values()
		items := []types.TransactWriteItem{{Put: put}}
		if po.Status == Open {
			open, err := s.poWrite(merchantID, openPOSK(poID), po)
			if err != nil {
				return PurchaseOrder{}, err
			}
			items = append(items, types.TransactWriteItem{Put: open})
		} else {
			items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: &s.Table, Key: dynamo.Key(planPK(merchantID), openPOSK(poID))}})
		}
		err = dynamo.Transact(ctx, s.DB, append(items, extra...))
		if _, ok := dynamo.Failed(err); ok {
			// The order changed since it was read, or its stock did (a
			// SKU stocked in one place gaining per-location stock): read
			// both again.
			continue
		}
		if err != nil {
			return PurchaseOrder{}, fmt.Errorf("replenishdb: update purchase order %s: %w", poID, err)
		}
		return po, nil
	}
	return PurchaseOrder{}, ErrPOBusy
}

// POFilter narrows a merchant's purchase orders.
type POFilter struct {
	// Status keeps one status ("" all).
	Status string
	// SKUID keeps one SKU's ("" all).
	SKUID string
}

// POPage is a page of purchase orders, in id order.
type POPage struct {
	PurchaseOrders []PurchaseOrder `json:"purchaseOrders"`
	Next           string          `json:"next,omitempty"`
}

// PurchaseOrders returns a page of the merchant's purchase orders that
// pass f, in id order, from the cursor a previous page returned; limit
// bounds the orders read for the page, so a filtered page may hold fewer
// and still have a next one. Open orders are read from their own copies,
// so listing them never reads the closed ones.
func (s *Store) PurchaseOrders(ctx context.Context, merchantID string, f POFilter, cursor string, limit int) (POPage, error) {
	pk := planPK(merchantID)
	prefix := "PO#"
	var cond *expression.ConditionBuilder
	and := func(c expression.ConditionBuilder) {
		if cond != nil {
			c = cond.And(c)
		}
		cond = &c
	}
	switch f.Status {
	case Open:
		prefix = "OPENPO#"
	case "":
	default:
		and(expression.Name("status").Equal(expression.Value(f.Status)))
	}
	if f.SKUID != "" {
		and(expression.Name("skuId").Equal(expression.Value(f.SKUID)))
	}
	b := expression.NewBuilder().WithKeyCondition(expression.Key("pk").Equal(expression.Value(pk)).And(expression.Key("sk").BeginsWith(prefix)))
	if cond != nil {
		b = b.WithFilter(*cond)
	}
	expr, err := b.Build()
	if err != nil {
		return POPage{}, fmt.Errorf("replenishdb: purchase orders query: %w", err)
	}
	in := &dynamodb.QueryInput{
		TableName: &s.Table, KeyConditionExpression: expr.KeyCondition(), FilterExpression: expr.Filter(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(), ConsistentRead: aws.Bool(true),
	}
	if limit > 0 {
		in.Limit = aws.Int32(int32(limit))
	}
	if cursor != "" {
		start, ok := dynamo.DecodeCursor(cursor, "pk", pk, "pk", "sk")
		if sk, _ := start["sk"].(*types.AttributeValueMemberS); !ok || !strings.HasPrefix(sk.Value, prefix) {
			return POPage{}, ErrBadCursor
		}
		in.ExclusiveStartKey = start
	}
	out, err := s.DB.Query(ctx, in)
	if err != nil {
		return POPage{}, fmt.Errorf("replenishdb: purchase orders of %s: %w", merchantID, err)
	}
	page := POPage{PurchaseOrders: make([]PurchaseOrder, 0, len(out.Items))}
	for _, it := range out.Items {
		var po poItem
		if err := attributevalue.UnmarshalMap(it, &po); err != nil {
			return POPage{}, fmt.Errorf("replenishdb: decode purchase order: %w", err)
		}
		page.PurchaseOrders = append(page.PurchaseOrders, po.PurchaseOrder)
	}
	page.Next = dynamo.EncodeCursor(out.LastEvaluatedKey)
	return page, nil
}

// OpenPurchaseOrders returns all the merchant's open purchase orders (the
// nightly run reads them once per batch).
func (s *Store) OpenPurchaseOrders(ctx context.Context, merchantID string) ([]PurchaseOrder, error) {
	var all []PurchaseOrder
	for cursor := ""; ; {
		page, err := s.PurchaseOrders(ctx, merchantID, POFilter{Status: Open}, cursor, 0)
		if err != nil {
			return nil, err
		}
		all = append(all, page.PurchaseOrders...)
		if cursor = page.Next; cursor == "" {
			return all, nil
		}
	}
}
