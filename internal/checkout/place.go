package checkout

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/idempotency"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Completion stores the API's answer in the placement's own transaction,
// so a retried request gets the order if and only if it was placed.
type Completion struct {
	Store  *idempotency.Store
	Claim  *idempotency.Claim
	Render func(order.Order) (idempotency.Response, error)
}

// ShortLine says how much of a line's SKU is left.
type ShortLine struct {
	Line      int    `json:"line"`
	SKUID     string `json:"skuId"`
	Requested int64  `json:"requested"`
	Available int64  `json:"available"`
}

// FullSlot says how full a slot is.
type FullSlot struct {
	SlotID   string `json:"slotId"`
	Capacity int    `json:"capacity"`
	Booked   int    `json:"booked"`
}

// Place places an order for customerID: it checks the request against the
// catalog, prices it from the catalog, creates the payment intent, and
// reserves stock and slot in one transaction. done may be nil.
//
// Returns problem errors: Invalid or Unprocessable naming the field at
// fault, ErrOutOfStock or ErrSlotFull (409, with what is left), or
// payment.ErrUnavailable. Nothing is written unless the order is placed.
func (s *Service) Place(ctx context.Context, customerID string, req order.PlaceRequest, done *Completion) (order.Order, error) {
	if customerID == "" {
		return order.Order{}, apigw.ErrNoSubject
	}
	if err := req.Validate(); err != nil {
		return order.Order{}, err
	}
	now := s.Now().UTC()

	skuIDs := make([]string, len(req.Lines))
	for i, l := range req.Lines {
		skuIDs[i] = l.SKUID
	}
	skus, err := s.catalog.SKUs(ctx, skuIDs)
	if err != nil {
		return order.Order{}, err
	}
	keys := catalog.Keys{}
	for i, l := range req.Lines {
		sku, ok := skus[l.SKUID]
		if !ok {
			return order.Order{}, unprocessable(fmt.Sprintf("lines[%d].skuId", i), "unknown SKU "+l.SKUID)
		}
		keys.Products = append(keys.Products, sku.ProductID)
	}
	if req.Fulfilment.Type == order.Pickup {
		keys.Stores = append(keys.Stores, req.Fulfilment.StoreID)
	}
	if b := req.Booking; b != nil {
		keys.Stores = append(keys.Stores, b.StoreID)
		keys.Slots = append(keys.Slots, b.SlotID)
	}
	found, err := s.catalog.Lookup(ctx, keys)
	if err != nil {
		return order.Order{}, err
	}

	o := order.Order{
		ID: id.New(id.Order), CustomerID: customerID, Status: order.PendingPayment, Version: 1,
		Fulfilment: req.Fulfilment, CreatedAt: now, UpdatedAt: now,
		History: []order.Change{{Status: order.PendingPayment, At: now, Reason: "placed"}},
	}
	var short []ShortLine
	for i, l := range req.Lines {
		sku := skus[l.SKUID]
		p, ok := found.Products[sku.ProductID]
		if !ok {
			return order.Order{}, fmt.Errorf("sku %s: product %s missing from catalog", sku.ID, sku.ProductID)
		}
		f := fmt.Sprintf("lines[%d].skuId", i)
		if p.Status != catalog.Active {
			return order.Order{}, unprocessable(f, fmt.Sprintf("product %s is not for sale", p.ID))
		}
		if i > 0 && sku.Price.Currency != o.Lines[0].UnitPrice.Currency {
			return order.Order{}, unprocessable(f, fmt.Sprintf("mixed currencies: this SKU is priced in %s, lines[0] in %s; place one order per currency",
				sku.Price.Currency, o.Lines[0].UnitPrice.Currency))
		}
		total, err := sku.Price.Times(l.Quantity)
		if err != nil {
			return order.Order{}, unprocessable(fmt.Sprintf("lines[%d].quantity", i), "line total is out of range")
		}
		if sku.Available < l.Quantity {
			short = append(short, ShortLine{Line: i, SKUID: sku.ID, Requested: l.Quantity, Available: sku.Available})
		}
		attrs := sku.Attributes
		if attrs == nil {
			attrs = []catalog.Attribute{}
		}
		o.Lines = append(o.Lines, order.Line{
			SKUID: sku.ID, ProductID: p.ID, Name: p.Name, Attributes: attrs,
			UnitPrice: sku.Price, Quantity: l.Quantity, Total: total,
		})
	}
	o.Total = money.Money{Currency: o.Lines[0].UnitPrice.Currency}
	o.Refunded = money.Money{Currency: o.Total.Currency}
	for i, l := range o.Lines {
		if o.Total, err = o.Total.Add(l.Total); err != nil {
			return order.Order{}, unprocessable(fmt.Sprintf("lines[%d].quantity", i), "order total is out of range")
		}
	}
	if req.Fulfilment.Type == order.Pickup {
		if _, ok := found.Stores[req.Fulfilment.StoreID]; !ok {
			return order.Order{}, unprocessable("fulfilment.storeId", "unknown store "+req.Fulfilment.StoreID)
		}
	}
	var slot catalog.Slot
	if b := req.Booking; b != nil {
		if _, ok := found.Stores[b.StoreID]; !ok {
			return order.Order{}, unprocessable("booking.storeId", "unknown store "+b.StoreID)
		}
		var ok bool
		if slot, ok = found.Slots[b.SlotID]; !ok || slot.StoreID != b.StoreID {
			return order.Order{}, unprocessable("booking.slotId", "store "+b.StoreID+" has no slot "+b.SlotID)
		}
		if !slot.Start.After(now) {
			return order.Order{}, unprocessable("booking.slotId", "slot "+b.SlotID+" starts at "+slot.Start.Format("2006-01-02T15:04Z07:00")+", which is in the past")
		}
		o.Booking = &order.Booking{StoreID: b.StoreID, SlotID: b.SlotID, ServiceID: slot.ServiceID, Start: slot.Start, End: slot.End}
	}
	// Fail fast on what the catalog already shows; the transaction's
	// conditions decide the races.
	var slotFull *FullSlot
	if o.Booking != nil && slot.Booked >= slot.Capacity {
		slotFull = &FullSlot{SlotID: slot.ID, Capacity: slot.Capacity, Booked: slot.Booked}
	}
	if len(short) > 0 || slotFull != nil {
		s.Metrics.Add("OrdersRefusedShort", 1, metrics.Count, nil)
		return order.Order{}, shortage(short, slotFull)
	}

	intent, err := s.payments.CreateIntent(ctx, payment.CreateRequest{
		OrderID: o.ID, Amount: o.Total, IdempotencyKey: "jiaoyi-order-" + o.ID, Description: "jiaoyi order " + o.ID,
	})
	if err != nil {
		return order.Order{}, fmt.Errorf("create payment intent: %w", err)
	}
	o.Payment = order.Payment{Intent: intent, ExpiresAt: now.Add(s.Hold)}

	items, err := s.placeItems(o, done)
	if err != nil {
		return order.Order{}, err
	}
	if err := s.transact(ctx, items); err != nil {
		// No money was taken; let the intent go so the shopper cannot pay it.
		if _, cerr := s.payments.CancelIntent(context.WithoutCancel(ctx), intent.ID); cerr != nil {
			logging.From(ctx).Warn("cancel intent of unplaced order", "order_id", o.ID, "error", cerr)
		}
		return order.Order{}, s.placeFailed(err, o, done != nil)
	}
	if done != nil {
		idempotency.Completed(ctx)
	}
	s.scheduleTimeout(ctx, o.ID, o.Payment.ExpiresAt)
	logging.From(ctx).Info("order placed", "order_id", o.ID, "lines", len(o.Lines), "total", o.Total.String())
	s.Metrics.Add("OrdersPlaced", 1, metrics.Count, map[string]any{"orderId": o.ID, "currency": o.Total.Currency, "amount": o.Total.Amount, "booking": o.Booking != nil})
	return o, nil
}

// placeItems builds the placement transaction: lines, then the slot, the
// order, the reservation and the idempotency record, in that order (the
// cancellation reasons are read by position).
func (s *Service) placeItems(o order.Order, done *Completion) ([]types.TransactWriteItem, error) {
	items := make([]types.TransactWriteItem, 0, len(o.Lines)+4)
	for _, l := range o.Lines {
		q := expression.Value(l.Quantity)
		it, err := update(s.catalogTable, catalog.SKUKey(l.SKUID),
			expression.Set(nameAvailable, nameAvailable.Minus(q)),
			expression.AttributeExists(namePK).And(nameAvailable.GreaterThanEqual(q)), true)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	if o.Booking != nil {
		it, err := update(s.catalogTable, catalog.SlotKey(o.Booking.SlotID),
			expression.Set(nameBooked, nameBooked.Plus(expression.Value(1))),
			expression.AttributeExists(namePK).And(nameBooked.LessThan(nameCapacity)), true)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	oi, err := attributevalue.MarshalMap(newOrderItem(o))
	if err != nil {
		return nil, fmt.Errorf("encode order: %w", err)
	}
	ri, err := attributevalue.MarshalMap(newReservationItem(o))
	if err != nil {
		return nil, fmt.Errorf("encode reservation: %w", err)
	}
	notExists := aws.String("attribute_not_exists(pk)")
	items = append(items,
		types.TransactWriteItem{Put: &types.Put{TableName: &s.ordersTable, Item: oi, ConditionExpression: notExists}},
		types.TransactWriteItem{Put: &types.Put{TableName: &s.ordersTable, Item: ri, ConditionExpression: notExists}},
	)
	if done != nil {
		resp, err := done.Render(o)
		if err != nil {
			return nil, err
		}
		ci, err := done.Store.CompleteItem(done.Claim, resp)
		if err != nil {
			return nil, err
		}
		items = append(items, ci)
	}
	return items, nil
}

// placeFailed reads a cancelled placement reason by reason: which lines are
// short and by how much, whether the slot is full, whether the idempotency
// claim was lost.
func (s *Service) placeFailed(err error, o order.Order, withClaim bool) error {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return fmt.Errorf("place order: %w", err)
	}
	n := len(o.Lines)
	slotIdx, orderIdx := -1, n
	if o.Booking != nil {
		slotIdx, orderIdx = n, n+1
	}
	idemIdx := -1
	if withClaim {
		idemIdx = orderIdx + 2 // after the order and the reservation
	}
	var short []ShortLine
	var full *FullSlot
	for i, r := range tce.CancellationReasons {
		if code(r) != "ConditionalCheckFailed" {
			continue
		}
		switch {
		case i < n:
			short = append(short, ShortLine{Line: i, SKUID: o.Lines[i].SKUID, Requested: o.Lines[i].Quantity, Available: numAttr(r.Item, "available")})
		case i == slotIdx:
			full = &FullSlot{SlotID: o.Booking.SlotID, Capacity: int(numAttr(r.Item, "capacity")), Booked: int(numAttr(r.Item, "booked"))}
		case i == idemIdx:
			// Another request took the idempotency key over.
			return idempotency.ErrInProgress
		default:
			return fmt.Errorf("place order %s: item %d failed its condition: %w", o.ID, i, err)
		}
	}
	if short == nil && full == nil {
		return fmt.Errorf("place order: %w", err)
	}
	return shortage(short, full)
}

func shortage(short []ShortLine, full *FullSlot) error {
	ext := map[string]any{}
	if len(short) > 0 {
		ext["shortLines"] = short
	}
	if full != nil {
		ext["fullSlot"] = full
	}
	if len(short) > 0 {
		return ErrOutOfStock.With(ext)
	}
	return ErrSlotFull.With(ext)
}

func unprocessable(field, msg string) error {
	return &problem.Error{Code: problem.Unprocessable, Field: field, Message: msg}
}

func numAttr(item map[string]types.AttributeValue, name string) int64 {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.ParseInt(v.Value, 10, 64)
		return n
	}
	return 0
}
