package checkout

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/order"
)

// Key layout of the Orders table (pk, sk):
//
//	order        ORDER#<id>  ORDER        gsi1: CUSTOMER#<customer>, <createdAt>#<id>
//	reservation  ORDER#<id>  RESERVATION  gsi2: EXPIRY#<shard>, <expiresAt>#<id> while HELD
//	idempotency  IDEMPOTENCY#<hash>  IDEMPOTENCY (internal/idempotency)
const (
	skOrder       = "ORDER"
	skReservation = "RESERVATION"
	// expiryShards spreads held reservations over several GSI partitions so
	// a busy sale does not make one hot key; the sweep queries each.
	expiryShards = 4
	timeLayout   = "2006-01-02T15:04:05.000000000Z"
)

// Reservation statuses.
const (
	ReservationHeld     = "HELD"
	ReservationReleased = "RELEASED"
)

func orderKey(id, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "ORDER#" + id},
		"sk": &types.AttributeValueMemberS{Value: sk},
	}
}

type orderItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI1PK string `dynamodbav:"gsi1pk"`
	GSI1SK string `dynamodbav:"gsi1sk"`
	order.Order
}

// reservedLine is stock held for an order.
type reservedLine struct {
	SKUID    string `dynamodbav:"skuId"`
	Quantity int64  `dynamodbav:"quantity"`
}

type reservationItem struct {
	PK        string         `dynamodbav:"pk"`
	SK        string         `dynamodbav:"sk"`
	GSI2PK    string         `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK    string         `dynamodbav:"gsi2sk,omitempty"`
	OrderID   string         `dynamodbav:"orderId"`
	Status    string         `dynamodbav:"status"`
	Lines     []reservedLine `dynamodbav:"lines"`
	SlotID    string         `dynamodbav:"slotId,omitempty"`
	ExpiresAt time.Time      `dynamodbav:"expiresAt"`
}

func expiryShard(orderID string) string {
	h := fnv.New32a()
	h.Write([]byte(orderID))
	return "EXPIRY#" + strconv.Itoa(int(h.Sum32()%expiryShards))
}

func newOrderItem(o order.Order) orderItem {
	return orderItem{
		PK: "ORDER#" + o.ID, SK: skOrder,
		GSI1PK: "CUSTOMER#" + o.CustomerID, GSI1SK: o.CreatedAt.UTC().Format(timeLayout) + "#" + o.ID,
		Order: o,
	}
}

func newReservationItem(o order.Order) reservationItem {
	r := reservationItem{
		PK: "ORDER#" + o.ID, SK: skReservation,
		GSI2PK: expiryShard(o.ID), GSI2SK: o.Payment.ExpiresAt.UTC().Format(timeLayout) + "#" + o.ID,
		OrderID: o.ID, Status: ReservationHeld, ExpiresAt: o.Payment.ExpiresAt,
	}
	for _, l := range o.Lines {
		r.Lines = append(r.Lines, reservedLine{SKUID: l.SKUID, Quantity: l.Quantity})
	}
	if o.Booking != nil {
		r.SlotID = o.Booking.SlotID
	}
	return r
}

// Order returns the order, with its refunds, if it belongs to customer: one
// strongly consistent Query of the order's partition. Returns
// ErrOrderNotFound for an unknown order or another customer's.
func (s *Service) Order(ctx context.Context, customerID, orderID string) (order.Order, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.ordersTable,
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("ORDER#" + orderID)},
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
		case sk.Value == skOrder:
			var oi orderItem
			if err := attributevalue.UnmarshalMap(it, &oi); err != nil {
				return order.Order{}, fmt.Errorf("decode order %s: %w", orderID, err)
			}
			o = &oi.Order
		case strings.HasPrefix(sk.Value, "REFUND#"):
			var r refundItem
			if err := attributevalue.UnmarshalMap(it, &r); err != nil {
				return order.Order{}, fmt.Errorf("decode refund: %w", err)
			}
			refunds = append(refunds, r.RefundRecord)
		}
	}
	if o == nil || o.CustomerID != customerID {
		return order.Order{}, fmt.Errorf("order %s: %w", orderID, ErrOrderNotFound)
	}
	o.Refunds = refunds
	return *o, nil
}

// load reads an order, strongly consistent.
func (s *Service) load(ctx context.Context, orderID string) (order.Order, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.ordersTable, Key: orderKey(orderID, skOrder), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return order.Order{}, fmt.Errorf("get order %s: %w", orderID, err)
	}
	if out.Item == nil {
		return order.Order{}, fmt.Errorf("order %s: %w", orderID, ErrOrderNotFound)
	}
	var it orderItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return order.Order{}, fmt.Errorf("decode order %s: %w", orderID, err)
	}
	return it.Order, nil
}

func (s *Service) loadReservation(ctx context.Context, orderID string) (reservationItem, bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.ordersTable, Key: orderKey(orderID, skReservation), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return reservationItem{}, false, fmt.Errorf("get reservation %s: %w", orderID, err)
	}
	if out.Item == nil {
		return reservationItem{}, false, nil
	}
	var r reservationItem
	if err := attributevalue.UnmarshalMap(out.Item, &r); err != nil {
		return reservationItem{}, false, fmt.Errorf("decode reservation %s: %w", orderID, err)
	}
	return r, true, nil
}

// Lookup returns any customer's order, for operators' tools; handlers use
// Order, which checks the owner. Returns ErrOrderNotFound.
func (s *Service) Lookup(ctx context.Context, orderID string) (order.Order, error) {
	return s.load(ctx, orderID)
}
