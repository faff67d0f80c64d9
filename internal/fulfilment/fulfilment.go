// Package fulfilment carries a paid order to the shopper: merchants ship
// lines in parcels tracked by carriers' signed events (out-of-order safe:
// a late "in transit" never undoes "delivered"), and hand pickup orders
// over at the store against a short single-use code that staff redeem
// once, with guessing rate limited. Every order change goes through the
// Orders table's one update path, and shipments leave events through the
// outbox.
package fulfilment

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// DynamoDB is what fulfilment calls.
type DynamoDB interface {
	orderdb.DynamoDB
	outbox.DynamoDB
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Service is fulfilment.
type Service struct {
	db     DynamoDB
	orders *orderdb.Store
	relay  *outbox.Relay
	// RedeemLimit is how many failed redemptions a store may make a minute.
	RedeemLimit int64
	// PickupHold is how long a ready order waits at the store before it is
	// cancelled and refunded (DefaultPickupHold if 0).
	PickupHold time.Duration
	Now        func() time.Time
	Metrics    *metrics.Recorder
}

// DefaultPickupHold is how long a ready pickup order waits to be collected.
const DefaultPickupHold = 7 * 24 * time.Hour

// New returns fulfilment over the Orders table, publishing to topicARN.
func New(db DynamoDB, ordersTable string, publisher outbox.Publisher, topicARN string) *Service {
	s := &Service{db: db, orders: orderdb.New(db, ordersTable), RedeemLimit: 10, Now: time.Now,
		relay: &outbox.Relay{DB: db, Table: ordersTable, SNS: publisher, TopicARN: topicARN, IndexName: orderdb.DueIndex}}
	s.orders.Now = func() time.Time { return s.Now() }
	return s
}

// Orders is the Orders table's store.
func (s *Service) Orders() *orderdb.Store { return s.orders }

// Event types fulfilment emits.
const (
	TypeOrderShipped   = "OrderShipped"
	TypeOrderDelivered = "OrderDelivered"
	TypeOrderPickedUp  = "OrderPickedUp"
)

// Fulfilled is the data of fulfilment events.
type Fulfilled struct {
	OrderID    string          `json:"orderId"`
	ShipmentID string          `json:"shipmentId,omitempty"`
	Status     order.Status    `json:"status"`
	Lines      []order.Line    `json:"lines"`
	Shipment   *order.Shipment `json:"shipment,omitempty"`
}

// Errors callers branch on.
var (
	ErrNotFound         = orderdb.ErrNotFound
	ErrUnknownTracking  = errors.New("fulfilment: no shipment has this tracking number")
	ErrTrackingTaken    = &problem.Error{Code: problem.Conflict, Field: "trackingNumber", Message: "another shipment has this carrier's tracking number"}
	ErrTooManyGuesses   = problem.New(problem.TooManyRequests, "too many wrong codes at this store; wait a minute")
	ErrWrongCode        = &problem.Error{Code: problem.NotFound, Field: "code", Message: "no order is waiting at this store with this code"}
	ErrBookingCancelled = problem.New(problem.Conflict, "this booking's order was cancelled or refunded")
	ErrTooEarly         = problem.New(problem.Conflict, "too early to check in for this slot")
)

var (
	carrierPattern  = regexp.MustCompile(`^[a-z][a-z0-9-]{1,29}$`)
	trackingPattern = regexp.MustCompile(`^[A-Za-z0-9-]{4,40}$`)
)

// ShipmentRequest is the body of POST /merchant/orders/{id}/shipments.
type ShipmentRequest struct {
	Carrier        string              `json:"carrier"`
	TrackingNumber string              `json:"trackingNumber"`
	Lines          []order.ShippedLine `json:"lines"`
	// Key is the Idempotency-Key; the shipment's id derives from it.
	Key string `json:"-"`
}

// Validate checks the request's shape.
func (r ShipmentRequest) Validate() error {
	switch {
	case !carrierPattern.MatchString(r.Carrier):
		return problem.Field("carrier", "carrier must be lower-case letters, digits and dashes, such as sf-express")
	case !trackingPattern.MatchString(r.TrackingNumber):
		return problem.Field("trackingNumber", "trackingNumber must be 4 to 40 letters, digits or dashes")
	case len(r.Lines) == 0 || len(r.Lines) > order.MaxLines:
		return problem.Field("lines", fmt.Sprintf("a shipment has 1 to %d lines", order.MaxLines))
	}
	seen := map[string]bool{}
	for i, l := range r.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		if !id.Valid(id.SKU, l.SKUID) {
			return problem.Field(f+".skuId", "skuId is malformed: want sku_ followed by 16 characters a-z, 2-7")
		}
		if seen[l.SKUID] {
			return problem.Field(f+".skuId", "each SKU once per shipment")
		}
		seen[l.SKUID] = true
		if l.Quantity < 1 || l.Quantity > order.MaxQuantity {
			return problem.Field(f+".quantity", fmt.Sprintf("quantity must be between 1 and %d", order.MaxQuantity))
		}
	}
	return nil
}

type trackingItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	OrderID    string `dynamodbav:"orderId"`
	ShipmentID string `dynamodbav:"shipmentId"`
}

func trackingPK(carrier, number string) string {
	return "TRACKING#" + carrier + "#" + strings.ToUpper(number)
}

// Ship records a parcel of the order's lines (the caller has checked the
// merchant may): PAID → FULFILLING or SHIPPED. Repeating the same Key
// returns the same shipment.
func (s *Service) Ship(ctx context.Context, orderID string, req ShipmentRequest) (order.Shipment, error) {
	if err := req.Validate(); err != nil {
		return order.Shipment{}, err
	}
	shipID := id.Derive("shp", orderID+"/"+req.Key)
	var events []outbox.Event
	o, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		events = nil
		for _, sh := range o.Shipments {
			if sh.ID == shipID {
				return nil, orderdb.ErrUnchanged // a retry
			}
		}
		now := s.Now().UTC()
		if err := o.Ship(order.Shipment{ID: shipID, Carrier: req.Carrier, TrackingNumber: req.TrackingNumber, Lines: req.Lines}, now); err != nil {
			return nil, err
		}
		ti, err := attributevalue.MarshalMap(trackingItem{PK: trackingPK(req.Carrier, req.TrackingNumber), SK: "TRACKING", OrderID: o.ID, ShipmentID: shipID})
		if err != nil {
			return nil, err
		}
		sh := o.Shipments[len(o.Shipments)-1]
		e, err := outbox.New(id.Derive("evt", "shipped/"+shipID), TypeOrderShipped, 1, now, Fulfilled{OrderID: o.ID, ShipmentID: shipID, Status: o.Status, Lines: o.Lines, Shipment: &sh})
		if err != nil {
			return nil, err
		}
		ob, err := outbox.Item(s.orders.Table(), e)
		if err != nil {
			return nil, err
		}
		events = append(events, e)
		return []types.TransactWriteItem{dynamo.PutNew(s.orders.Table(), ti), ob}, nil
	})
	var ce *orderdb.ConditionError
	if errors.As(err, &ce) && ce.Index == 0 {
		return order.Shipment{}, ErrTrackingTaken
	}
	if err != nil {
		return order.Shipment{}, err
	}
	s.publish(ctx, events)
	for _, sh := range o.Shipments {
		if sh.ID == shipID {
			return sh, nil
		}
	}
	return order.Shipment{}, fmt.Errorf("shipment %s not on order %s", shipID, orderID)
}

func (s *Service) publish(ctx context.Context, events []outbox.Event) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for _, e := range events {
		if err := s.relay.Send(ctx, e); err != nil {
			logging.From(ctx).Warn("publish event; the outbox relay will retry", "event_id", e.ID, "error", err)
		}
	}
}

// CarrierEvent is a carrier's scan, normalised.
type CarrierEvent struct {
	ID             string               `json:"id"`
	TrackingNumber string               `json:"trackingNumber"`
	Status         order.ShipmentStatus `json:"status"`
	At             time.Time            `json:"at"`
	Place          string               `json:"place,omitempty"`
	Description    string               `json:"description,omitempty"`
}

// Validate checks a verified event's shape.
func (e CarrierEvent) Validate() error {
	switch {
	case e.ID == "" || len(e.ID) > 100:
		return problem.Field("id", "the event needs an id of at most 100 characters")
	case !trackingPattern.MatchString(e.TrackingNumber):
		return problem.Field("trackingNumber", "trackingNumber must be 4 to 40 letters, digits or dashes")
	case !order.ValidShipmentStatus(e.Status):
		return problem.Field("status", "status is not a shipment status")
	case e.At.IsZero():
		return problem.Field("at", "at is required")
	case len(e.Place) > 200 || len(e.Description) > 500:
		return problem.Field("place", "place and description are too long")
	}
	return nil
}

// Track applies a carrier's verified event to its parcel, once: a repeat
// or a stale scan changes nothing. It returns whether the order changed;
// ErrUnknownTracking for a parcel jiaoyi did not ship.
func (s *Service) Track(ctx context.Context, carrier string, e CarrierEvent) (bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.orders.Table()), Key: dynamo.Key(trackingPK(carrier, e.TrackingNumber), "TRACKING"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, fmt.Errorf("tracking lookup: %w", err)
	}
	if out.Item == nil {
		return false, ErrUnknownTracking
	}
	var t trackingItem
	if err := attributevalue.UnmarshalMap(out.Item, &t); err != nil {
		return false, err
	}
	changed := false
	var events []outbox.Event
	_, err = s.orders.Update(ctx, t.OrderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		events = nil
		was := o.Status
		ok, err := o.Track(t.ShipmentID, order.TrackingEvent{ID: e.ID, Status: e.Status, At: e.At.UTC(), Place: e.Place, Description: e.Description})
		if err != nil {
			return nil, err
		}
		if changed = ok; !ok {
			return nil, orderdb.ErrUnchanged
		}
		if o.Status == order.Delivered && was != order.Delivered {
			ev, err := outbox.New(id.Derive("evt", "delivered/"+o.ID), TypeOrderDelivered, 1, e.At, Fulfilled{OrderID: o.ID, Status: o.Status, Lines: o.Lines})
			if err != nil {
				return nil, err
			}
			ob, err := outbox.Item(s.orders.Table(), ev)
			if err != nil {
				return nil, err
			}
			events = append(events, ev)
			return []types.TransactWriteItem{ob, s.handedOver(o.ID, e.At)}, nil
		}
		return nil, nil
	})
	if err != nil {
		return false, err
	}
	s.publish(ctx, events)
	return changed, nil
}

// CodeLength is the length of pickup and check-in codes.
const CodeLength = order.CodeLength

func newCode() (string, error) { return order.NewCode() }

func codePK(storeID, code string) string { return "PICKUP#" + storeID + "#" + code }

// Ready makes a paid pickup order ready at its store with a fresh code.
// Making it ready again returns the same code.
func (s *Service) Ready(ctx context.Context, orderID string) (order.PickupCode, error) {
	for range 3 {
		code, err := newCode()
		if err != nil {
			return order.PickupCode{}, err
		}
		o, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
			if o.Status == order.ReadyForPickup && o.Pickup != nil {
				return nil, orderdb.ErrUnchanged
			}
			if err := o.Ready(code, "jiaoyi:pickup:"+o.ID+":"+code, s.Now().UTC()); err != nil {
				return nil, err
			}
			hold := s.PickupHold
			if hold <= 0 {
				hold = DefaultPickupHold
			}
			o.Pickup.CollectBy = o.Pickup.IssuedAt.Add(hold)
			item := dynamo.Key(codePK(o.Fulfilment.StoreID, code), "PICKUP")
			item["orderId"] = dynamo.S(o.ID)
			return []types.TransactWriteItem{dynamo.PutNew(s.orders.Table(), item),
				{Put: &types.Put{TableName: aws.String(s.orders.Table()), Item: orderdb.DueItem(orderdb.PickupDuePartition, o.ID, o.Pickup.CollectBy)}}}, nil
		})
		var ce *orderdb.ConditionError
		if errors.As(err, &ce) {
			continue // the code is taken at this store: draw another
		}
		if err != nil {
			return order.PickupCode{}, err
		}
		return *o.Pickup, nil
	}
	return order.PickupCode{}, dynamo.ErrBusy
}

// Redeem hands the order waiting at storeID under code over, exactly
// once, recording who did it. Wrong codes are counted per store and
// minute; past RedeemLimit the store must wait (429), and each wrong code
// is logged.
func (s *Service) Redeem(ctx context.Context, storeID, code, staff string) (order.Order, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	now := s.Now().UTC()
	orderID, err := s.codeOrder(ctx, storeID, code, staff, dynamo.Key(codePK(storeID, code), "PICKUP"), "pickup")
	if err != nil {
		return order.Order{}, err
	}
	o, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		if o.Pickup == nil || o.Pickup.StoreID != storeID || o.Pickup.Code != code {
			return nil, ErrWrongCode
		}
		if err := o.Redeem(staff, s.Now().UTC()); err != nil {
			return nil, err
		}
		upd := types.TransactWriteItem{Update: &types.Update{
			TableName: aws.String(s.orders.Table()), Key: dynamo.Key(codePK(storeID, code), "PICKUP"),
			UpdateExpression:          aws.String("SET redeemedAt = :at"),
			ConditionExpression:       aws.String("attribute_not_exists(redeemedAt)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":at": dynamo.S(now.Format(time.RFC3339Nano))},
		}}
		collected := types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.orders.Table()), Key: orderdb.DueKey(orderdb.PickupDuePartition, o.ID)}}
		return []types.TransactWriteItem{upd, collected, s.handedOver(o.ID, now)}, nil
	})
	var ce *orderdb.ConditionError
	if errors.As(err, &ce) {
		return order.Order{}, order.ErrAlreadyPicked
	}
	if err != nil {
		return order.Order{}, err
	}
	logging.From(ctx).Info("order picked up", "order_id", o.ID, "store_id", storeID, "staff", staff)
	return o, nil
}

// handedOver lists an order that reached the shopper at at in the due
// index, so its return window is closed (checkout's complete-orders job).
func (s *Service) handedOver(orderID string, at time.Time) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.orders.Table()), Item: orderdb.DueItem(orderdb.HandoverPartition, orderID, at)}}
}

// codeOrder finds the order a store's hand-over code names (pickup or
// check-in, by its pointer item key). Wrong codes are counted per store and
// minute; past RedeemLimit the store must wait (429), and each wrong code
// is logged.
func (s *Service) codeOrder(ctx context.Context, storeID, code, staff string, key map[string]types.AttributeValue, kind string) (string, error) {
	now := s.Now().UTC()
	limiter := dynamo.Key("REDEEMFAIL#"+storeID+"#"+now.Format("200601021504"), "COUNT")
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.orders.Table()), Key: limiter, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", err
	}
	if dynamo.Num(out.Item, "n") >= s.RedeemLimit {
		return "", ErrTooManyGuesses
	}
	var orderID string
	if len(code) == CodeLength {
		got, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.orders.Table()), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return "", err
		}
		if v, ok := got.Item["orderId"].(*types.AttributeValueMemberS); ok {
			orderID = v.Value
		}
	}
	if orderID == "" {
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(s.orders.Table()), Key: limiter,
			UpdateExpression:          aws.String("ADD n :one SET #ttl = :ttl"),
			ExpressionAttributeNames:  map[string]string{"#ttl": "ttl"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}, ":ttl": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(time.Hour).Unix(), 10)}},
		})
		logging.From(ctx).Warn("wrong "+kind+" code", "store_id", storeID, "staff", staff, "error", err)
		s.Metrics.Add("PickupCodesRejected", 1, metrics.Count, map[string]any{"storeId": storeID, "kind": kind})
		return "", ErrWrongCode
	}
	return orderID, nil
}

// CheckInEarly is how long before its slot a booking may be checked in.
const CheckInEarly = 2 * time.Hour

// CheckIn records a booked shopper's arrival at storeID under the
// booking's code, exactly once, from CheckInEarly before the slot until it
// ends; wrong codes count toward the store's limit as pickups' do.
func (s *Service) CheckIn(ctx context.Context, storeID, code, staff string) (order.Order, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	now := s.Now().UTC()
	orderID, err := s.codeOrder(ctx, storeID, code, staff, orderdb.CheckInKey(storeID, code), "check-in")
	if err != nil {
		return order.Order{}, err
	}
	o, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		b := o.Booking
		if b == nil || b.StoreID != storeID || b.CheckIn == nil || b.CheckIn.Code != code {
			return nil, ErrWrongCode
		}
		if o.Status == order.Refunded || o.Status == order.Cancelled || o.Status == order.Expired {
			return nil, ErrBookingCancelled.With(map[string]any{"status": o.Status})
		}
		if now.Before(b.Start.Add(-CheckInEarly)) {
			return nil, ErrTooEarly.With(map[string]any{"slotStart": b.Start})
		}
		if now.After(b.End) {
			return nil, order.ErrNoShow
		}
		if err := o.CheckInAt(staff, now); err != nil {
			return nil, err
		}
		upd := types.TransactWriteItem{Update: &types.Update{
			TableName: aws.String(s.orders.Table()), Key: orderdb.CheckInKey(storeID, code),
			UpdateExpression:          aws.String("SET checkedInAt = :at"),
			ConditionExpression:       aws.String("attribute_not_exists(checkedInAt)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":at": dynamo.S(now.Format(time.RFC3339Nano))},
		}}
		collected := types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.orders.Table()), Key: orderdb.DueKey(orderdb.PickupDuePartition, o.ID)}}
		return []types.TransactWriteItem{upd, collected, s.handedOver(o.ID, now)}, nil
	})
	var ce *orderdb.ConditionError
	if errors.As(err, &ce) {
		return order.Order{}, order.ErrAlreadyCheckedIn
	}
	if err != nil {
		return order.Order{}, err
	}
	logging.From(ctx).Info("booking checked in", "order_id", o.ID, "store_id", storeID, "staff", staff)
	return o, nil
}
