// Package orderdb is the Orders table's adapter: how orders, their
// reservations and refunds are laid out as items, how they are read, and
// the one path by which an order changes (Update: load, decide, commit
// under the expected status and version, retry on conflict).
//
// Key layout of the Orders table (pk, sk):
//
//	order        ORDER#<id>  ORDER          gsi1: CUSTOMER#<customer>, <createdAt>#<id>
//	                                        gsi2: REVIEWS#PENDING, <createdAt>#<id> while PENDING_REVIEW
//	reservation  ORDER#<id>  RESERVATION    gsi2: EXPIRY#<shard>, <expiresAt>#<id> while HELD
//	refund       ORDER#<id>  REFUND#<rid>   gsi2: REFUNDS#PENDING, <createdAt>#<rid> until the provider has it,
//	                                        then REFUNDS#AWAITING until it is final
//	holds        SHOPPER#<c> HOLDS          unpaid orders and held units of a shopper
//	outbox       OUTBOX#<e>  OUTBOX         gsi2: OUTBOX#PENDING until relayed (internal/outbox)
//	idempotency  IDEMPOTENCY#<hash>  IDEMPOTENCY (internal/idempotency)
package orderdb

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Sort keys and index partitions.
const (
	SKOrder       = "ORDER"
	SKReservation = "RESERVATION"
	skRefund      = "REFUND#"
	// ExpiryShards spreads held reservations over several index partitions
	// so a busy sale does not make one hot key; the sweep queries each.
	ExpiryShards = 4
	// RefundsPending indexes refunds the provider does not have yet;
	// RefundsAwaiting those it has and has not yet confirmed or refused.
	RefundsPending = "REFUNDS#PENDING"
	// ReviewsPending indexes orders awaiting risk review, oldest first.
	ReviewsPending  = "REVIEWS#PENDING"
	RefundsAwaiting = "REFUNDS#AWAITING"
	// DueIndex is the index of due work (expiring holds, pending refunds,
	// the outbox).
	DueIndex = "gsi2"
)

// Reservation statuses.
const (
	ReservationHeld     = "HELD"
	ReservationReleased = "RELEASED"
	ReservationConsumed = "CONSUMED"
)

// ErrNotFound is an order that does not exist.
var ErrNotFound = problem.New(problem.NotFound, "order not found")

// ErrUnchanged, returned by an Update function, ends the update without
// writing: the order already is what the caller wants.
var ErrUnchanged = errors.New("orderdb: order unchanged")

// DynamoDB is the subset of the client the store calls.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Store reads and changes orders in the Orders table.
type Store struct {
	db    DynamoDB
	table string
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// New returns a Store over table.
func New(db DynamoDB, table string) *Store {
	return &Store{db: db, table: table, Now: time.Now}
}

// Table is the Orders table's name.
func (s *Store) Table() string { return s.table }

// Key is the key of one of an order's items.
func Key(orderID, sk string) map[string]types.AttributeValue {
	return dynamo.Key("ORDER#"+orderID, sk)
}

type orderItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI1PK string `dynamodbav:"gsi1pk"`
	GSI1SK string `dynamodbav:"gsi1sk"`
	// GSI2PK and GSI2SK put an order awaiting risk review in the review queue.
	GSI2PK string `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK string `dynamodbav:"gsi2sk,omitempty"`
	order.Order
}

func newOrderItem(o order.Order) orderItem {
	it := orderItem{
		PK: "ORDER#" + o.ID, SK: SKOrder,
		GSI1PK: "CUSTOMER#" + o.CustomerID, GSI1SK: o.CreatedAt.UTC().Format(dynamo.TimeLayout) + "#" + o.ID,
		Order: o,
	}
	if o.Status == order.PendingReview {
		it.GSI2PK, it.GSI2SK = ReviewsPending, o.CreatedAt.UTC().Format(dynamo.TimeLayout)+"#"+o.ID
	}
	return it
}

// ReservedLine is stock held for an order.
type ReservedLine struct {
	SKUID    string `dynamodbav:"skuId"`
	Quantity int64  `dynamodbav:"quantity"`
	// Sources are the locations the units were taken from (none for a SKU
	// stocked in one place); a release gives them back there.
	Sources []order.Source `dynamodbav:"sources,omitempty"`
}

// Reservation is what an order holds until it is paid or released.
type Reservation struct {
	PK        string         `dynamodbav:"pk"`
	SK        string         `dynamodbav:"sk"`
	GSI2PK    string         `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK    string         `dynamodbav:"gsi2sk,omitempty"`
	OrderID   string         `dynamodbav:"orderId"`
	Status    string         `dynamodbav:"status"`
	Lines     []ReservedLine `dynamodbav:"lines"`
	SlotID    string         `dynamodbav:"slotId,omitempty"`
	ExpiresAt time.Time      `dynamodbav:"expiresAt"`
	// Holds records that the shopper's holds count this order (see HoldItem).
	Holds bool `dynamodbav:"holds,omitempty"`
}

// Units is the number of items reserved.
func (r Reservation) Units() int64 {
	var n int64
	for _, l := range r.Lines {
		n += l.Quantity
	}
	return n
}

// ExpiryPartition is the index partition of an order's held reservation.
func ExpiryPartition(orderID string) string {
	h := fnv.New32a()
	h.Write([]byte(orderID))
	return ExpiryShard(int(h.Sum32() % ExpiryShards))
}

// Due-work partitions of the due index: each lists orders by the time
// some work on them falls due, one item per order (key DueKey).
const (
	// NoShowPartition: paid bookings, by their slot's end, until the
	// check-in (or no-show) is settled.
	NoShowPartition = "NOSHOW"
	// PickupDuePartition: ready pickup orders, by the time they must be
	// collected by, until collected or cancelled.
	PickupDuePartition = "PICKUPDUE"
	// HandoverPartition: orders in the shopper's hands, by when they got
	// there, until their return window closes.
	HandoverPartition = "HANDOVER"
)

// DueKey is the key of order orderID's item in a due-work partition.
func DueKey(partition, orderID string) map[string]types.AttributeValue {
	return dynamo.Key(partition+"#"+orderID, "DUE")
}

// DueItem lists order orderID in a due-work partition at time at.
func DueItem(partition, orderID string, at time.Time) map[string]types.AttributeValue {
	item := DueKey(partition, orderID)
	item["orderId"] = dynamo.S(orderID)
	item["gsi2pk"] = dynamo.S(partition)
	item["gsi2sk"] = dynamo.S(at.UTC().Format(dynamo.TimeLayout) + "#" + orderID)
	return item
}

// CheckInKey is the key of the item from a store's check-in code to its order.
func CheckInKey(storeID, code string) map[string]types.AttributeValue {
	return dynamo.Key("CHECKIN#"+storeID+"#"+code, "CHECKIN")
}

// ExpiryShard names one expiry partition.
func ExpiryShard(n int) string { return "EXPIRY#" + strconv.Itoa(n) }

// PlaceItems are the writes that create order o: the order and its
// reservation, each only if absent. holds says whether the shopper's holds
// count it.
func (s *Store) PlaceItems(o order.Order, holds bool) ([]types.TransactWriteItem, error) {
	oi, err := attributevalue.MarshalMap(newOrderItem(o))
	if err != nil {
		return nil, fmt.Errorf("encode order: %w", err)
	}
	r := Reservation{
		PK: "ORDER#" + o.ID, SK: SKReservation,
		GSI2PK: ExpiryPartition(o.ID), GSI2SK: o.Payment.ExpiresAt.UTC().Format(dynamo.TimeLayout) + "#" + o.ID,
		OrderID: o.ID, Status: ReservationHeld, ExpiresAt: o.Payment.ExpiresAt, Holds: holds,
	}
	for _, l := range o.Lines {
		r.Lines = append(r.Lines, ReservedLine{SKUID: l.SKUID, Quantity: l.Quantity, Sources: l.Sources})
	}
	if o.Booking != nil {
		r.SlotID = o.Booking.SlotID
	}
	ri, err := attributevalue.MarshalMap(r)
	if err != nil {
		return nil, fmt.Errorf("encode reservation: %w", err)
	}
	return []types.TransactWriteItem{dynamo.PutNew(s.table, oi), dynamo.PutNew(s.table, ri)}, nil
}

// Get reads an order, strongly consistent. Returns ErrNotFound.
func (s *Store) Get(ctx context.Context, orderID string) (order.Order, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.table, Key: Key(orderID, SKOrder), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return order.Order{}, fmt.Errorf("get order %s: %w", orderID, err)
	}
	if out.Item == nil {
		return order.Order{}, fmt.Errorf("order %s: %w", orderID, ErrNotFound)
	}
	var it orderItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return order.Order{}, fmt.Errorf("decode order %s: %w", orderID, err)
	}
	return it.Order, nil
}

// GetWithRefunds reads an order and its refunds in one strongly consistent
// Query of the order's partition. Returns ErrNotFound.
func (s *Store) GetWithRefunds(ctx context.Context, orderID string) (order.Order, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S("ORDER#" + orderID)},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return order.Order{}, fmt.Errorf("get order %s: %w", orderID, err)
	}
	var o *order.Order
	refunds := []order.Refund{}
	for _, it := range out.Items {
		sk, _ := it["sk"].(*types.AttributeValueMemberS)
		switch {
		case sk == nil:
		case sk.Value == SKOrder:
			var oi orderItem
			if err := attributevalue.UnmarshalMap(it, &oi); err != nil {
				return order.Order{}, fmt.Errorf("decode order %s: %w", orderID, err)
			}
			o = &oi.Order
		case strings.HasPrefix(sk.Value, skRefund):
			var r refundItem
			if err := attributevalue.UnmarshalMap(it, &r); err != nil {
				return order.Order{}, fmt.Errorf("decode refund: %w", err)
			}
			refunds = append(refunds, r.Refund)
		}
	}
	if o == nil {
		return order.Order{}, fmt.Errorf("order %s: %w", orderID, ErrNotFound)
	}
	o.Refunds = refunds
	return *o, nil
}

// Reservation reads an order's reservation; ok is false if it has none.
func (s *Store) Reservation(ctx context.Context, orderID string) (r Reservation, ok bool, err error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.table, Key: Key(orderID, SKReservation), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Reservation{}, false, fmt.Errorf("get reservation %s: %w", orderID, err)
	}
	if out.Item == nil {
		return Reservation{}, false, nil
	}
	if err := attributevalue.UnmarshalMap(out.Item, &r); err != nil {
		return Reservation{}, false, fmt.Errorf("decode reservation %s: %w", orderID, err)
	}
	return r, true, nil
}

// SetReservation is the write that moves an order's HELD reservation to
// status (RELEASED or CONSUMED), taking it out of the expiry index.
func (s *Store) SetReservation(orderID, status string) (types.TransactWriteItem, error) {
	return s.MoveReservation(orderID, ReservationHeld, status)
}

// MoveReservation is the write that moves an order's reservation from
// status from to status to (a CONSUMED one is RELEASED when a paid order
// is rejected before fulfilment), out of the expiry index.
func (s *Store) MoveReservation(orderID, from, to string) (types.TransactWriteItem, error) {
	name := expression.Name("status")
	return dynamo.Update(s.table, Key(orderID, SKReservation),
		expression.Set(name, expression.Value(to)).Remove(expression.Name("gsi2pk")).Remove(expression.Name("gsi2sk")),
		name.Equal(expression.Value(from)), false)
}

// UpdateFunc decides an order's change: it edits o (status through
// o.Transition, amounts, payment) and returns extra writes that must
// commit with it. It may be called more than once (after a conflict) and
// may call other services; it returns ErrUnchanged to write nothing.
type UpdateFunc func(o *order.Order) ([]types.TransactWriteItem, error)

// ConditionError is an extra write of an Update whose condition failed.
type ConditionError struct {
	// Index is the write's position among the extra writes.
	Index int
	// Item is its current item, if the write asked for it.
	Item map[string]types.AttributeValue
	Err  error
}

func (e *ConditionError) Error() string {
	return fmt.Sprintf("order update: extra write %d failed its condition: %v", e.Index, e.Err)
}

func (e *ConditionError) Unwrap() error { return e.Err }

// maxAttempts bounds Update's retries after conflicting changes.
const maxAttempts = 8

// Update is the one way an order changes: it loads the order, lets fn
// decide, and writes the result with fn's extra writes in one transaction
// conditional on the status and version it loaded (the version goes up by
// one). If another change got there first it loads again and asks fn
// again. Returns the order as written (or as found, for ErrUnchanged),
// ErrNotFound, fn's error, a *ConditionError for a failed extra write, or
// dynamo.ErrBusy.
func (s *Store) Update(ctx context.Context, orderID string, fn UpdateFunc) (order.Order, error) {
	for range maxAttempts {
		cur, err := s.Get(ctx, orderID)
		if err != nil {
			return order.Order{}, err
		}
		next := cur
		next.History = append([]order.Change(nil), cur.History...)
		extra, err := fn(&next)
		if errors.Is(err, ErrUnchanged) {
			return cur, nil
		}
		if err != nil {
			return cur, err
		}
		next.Version, next.UpdatedAt = cur.Version+1, s.Now().UTC()
		item, err := attributevalue.MarshalMap(newOrderItem(next))
		if err != nil {
			return cur, fmt.Errorf("encode order: %w", err)
		}
		cond, err := expression.NewBuilder().WithCondition(
			expression.Name("status").Equal(expression.Value(cur.Status)).
				And(expression.Name("version").Equal(expression.Value(cur.Version)))).Build()
		if err != nil {
			return cur, err
		}
		put := types.TransactWriteItem{Put: &types.Put{
			TableName: &s.table, Item: item, ConditionExpression: cond.Condition(),
			ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
		}}
		err = dynamo.Transact(ctx, s.db, append([]types.TransactWriteItem{put}, extra...))
		if err == nil {
			next.Refunds = nil
			return next, nil
		}
		failed, ok := dynamo.Failed(err)
		if !ok {
			return cur, fmt.Errorf("update order %s: %w", orderID, err)
		}
		if _, orderChanged := failed[0]; orderChanged {
			continue // someone else changed the order first: decide again
		}
		for i, it := range failed {
			return cur, &ConditionError{Index: i - 1, Item: it, Err: err}
		}
	}
	return order.Order{}, fmt.Errorf("update order %s: %w", orderID, dynamo.ErrBusy)
}

// Decode reads an order item (from a query of an index).
func Decode(item map[string]types.AttributeValue) (order.Order, error) {
	var it orderItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return order.Order{}, fmt.Errorf("decode order: %w", err)
	}
	return it.Order, nil
}
