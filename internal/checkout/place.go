package checkout

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Complete builds a write that must commit in the placement's own
// transaction, from the order being placed: the API's idempotency record
// with its answer, so a retried request gets the order if and only if it
// was placed.
type Complete func(order.Order) (types.TransactWriteItem, error)

// ErrClaimLost means the idempotency record of the request was taken over
// by another request before the placement committed (its write failed).
var ErrClaimLost = problem.New(problem.Conflict, "a request with this Idempotency-Key is already in progress")

// ErrNoCustomer is a placement without a customer.
var ErrNoCustomer = problem.New(problem.Unauthorized, "the caller is not identified")

var (
	nameAvailable = expression.Name("available")
	nameBooked    = expression.Name("booked")
	namePK        = expression.Name("pk")
)

// Place places an order for customerID: it checks the request against the
// catalog, prices it from the catalog, creates the payment intent, and
// reserves stock and slot in one transaction with the order, its
// reservation, the shopper's hold count and complete's write (if not nil).
//
// Returns problem errors: Invalid or Unprocessable naming the field at
// fault, ErrOutOfStock or ErrSlotFull (409, with what is left),
// ErrTooManyHolds (429), ErrClaimLost, or payment.ErrUnavailable. Nothing
// is written unless the order is placed. Once the transaction has been
// sent, a caller that goes away changes nothing: the commit and what it
// owes (the timeout message) finish on their own deadline, and an
// ambiguous outcome is resolved by reading the order, never by guessing.
func (s *Service) Place(ctx context.Context, customerID string, req order.PlaceRequest, complete Complete) (order.Order, error) {
	if customerID == "" {
		return order.Order{}, ErrNoCustomer
	}
	if err := req.Validate(); err != nil {
		return order.Order{}, err
	}
	now := s.Now().UTC()
	facts, err := s.facts(ctx, req)
	if err != nil {
		return order.Order{}, err
	}
	o, err := order.Build(req, id.New(id.Order), customerID, facts, now)
	if err != nil {
		if problem.CodeOf(err) == problem.Conflict {
			s.Metrics.Add("OrdersRefusedShort", 1, metrics.Count, nil)
		}
		return order.Order{}, err
	}

	// Risk control decides before anything is reserved or asked of the
	// provider: a blocked order leaves no trace but a log line.
	riskWrites, err := s.assess(ctx, &o, req.Client, now)
	if err != nil {
		return order.Order{}, err
	}

	intent, err := s.payments.CreateIntent(ctx, payment.CreateRequest{
		OrderID: o.ID, Amount: o.Total, IdempotencyKey: "jiaoyi-order-" + o.ID, Description: "jiaoyi order " + o.ID,
	})
	if err != nil {
		return order.Order{}, fmt.Errorf("create payment intent: %w", err)
	}
	o.Payment = order.Payment{Intent: intent, ExpiresAt: now.Add(s.Hold)}

	// From here on the caller leaving must not cut the work in half.
	ctx, cancel := committing(ctx)
	defer cancel()
	if err := s.commit(ctx, &o, facts.Locations, complete, riskWrites); err != nil {
		if _, refused := dynamo.Failed(err); !refused {
			// Ambiguous (a timeout, a lost answer): the order may exist. Read.
			if got, gerr := s.orders.Get(ctx, o.ID); gerr == nil {
				logging.From(ctx).Warn("placement answer lost; the order was placed", "order_id", o.ID, "error", err)
				o = got
				return s.placed(ctx, o), nil
			} else if !errors.Is(gerr, orderdb.ErrNotFound) {
				return order.Order{}, fmt.Errorf("place order %s: outcome unknown: %w", o.ID, err)
			}
		}
		// Not placed: no money was taken; let the intent go so the shopper cannot pay it.
		if _, cerr := s.payments.CancelIntent(ctx, intent.ID); cerr != nil {
			logging.From(ctx).Warn("cancel intent of unplaced order", "order_id", o.ID, "error", cerr)
		}
		return order.Order{}, s.placeFailed(err, o, complete != nil)
	}
	return s.placed(ctx, o), nil
}

// maxReallocations bounds how often a placement re-chooses locations
// after others emptied the ones it chose.
const maxReallocations = 3

// commit sends the placement transaction. When it fails only because
// lines' chosen locations ran out while their SKUs still have enough
// elsewhere (a rush on the nearest store), it re-chooses from the stock the
// failed transaction reported (no extra read), a few times.
func (s *Service) commit(ctx context.Context, o *order.Order, locations map[string]catalog.Location, complete Complete, counters []types.TransactWriteItem) error {
	for attempt := 0; ; attempt++ {
		items, err := s.placeItems(*o, complete, counters)
		if err != nil {
			return err
		}
		err = dynamo.Transact(ctx, s.db, items)
		if err == nil || attempt == maxReallocations || !reallocate(err, o, locations) {
			return err
		}
	}
}

// reallocate re-chooses the locations of the lines whose chosen locations
// ran out, from their SKUs' stock as the failed transaction found it
// (ALL_OLD). It reports false, changing nothing, unless every failure was
// such a line and each can still be served.
func reallocate(err error, o *order.Order, locations map[string]catalog.Location) bool {
	failed, ok := dynamo.Failed(err)
	if !ok || o.Fulfilment.Type != order.Ship {
		return false
	}
	next := map[int][]order.Source{}
	for i, item := range failed {
		if i >= len(o.Lines) || len(o.Lines[i].Sources) == 0 {
			return false
		}
		var sku catalog.SKU
		if attributevalue.UnmarshalMap(item, &sku) != nil {
			return false
		}
		sources, have := order.Allocate(sku, o.Lines[i].Quantity, o.Fulfilment, locations)
		if have < o.Lines[i].Quantity {
			return false
		}
		next[i] = sources
	}
	for i, src := range next {
		o.Lines[i].Sources = src
	}
	return true
}

// placed does what a committed placement owes.
func (s *Service) placed(ctx context.Context, o order.Order) order.Order {
	ctx, cancel := s.afterCommit(ctx)
	defer cancel()
	s.scheduleTimeout(ctx, o.ID, o.Payment.ExpiresAt)
	logging.From(ctx).Info("order placed", "order_id", o.ID, "lines", len(o.Lines), "total", o.Total.String())
	s.Metrics.Add("OrdersPlaced", 1, metrics.Count, map[string]any{"orderId": o.ID, "currency": o.Total.Currency, "amount": o.Total.Amount, "booking": o.Booking != nil})
	return o
}

// facts reads what the catalog says about a request: two batch reads.
func (s *Service) facts(ctx context.Context, req order.PlaceRequest) (order.Facts, error) {
	skuIDs := make([]string, len(req.Lines))
	for i, l := range req.Lines {
		skuIDs[i] = l.SKUID
	}
	skus, err := s.catalog.SKUs(ctx, skuIDs)
	if err != nil {
		return order.Facts{}, err
	}
	keys := catalog.Keys{}
	for _, l := range req.Lines {
		if sku, ok := skus[l.SKUID]; ok {
			keys.Products = append(keys.Products, sku.ProductID)
		}
	}
	if req.Fulfilment.Type == order.Pickup {
		keys.Stores = append(keys.Stores, req.Fulfilment.StoreID)
	}
	if b := req.Booking; b != nil {
		keys.Stores = append(keys.Stores, b.StoreID)
		keys.Slots = append(keys.Slots, b.SlotID)
	}
	seen := map[string]bool{}
	for _, sku := range skus {
		for loc := range sku.Stock {
			if !seen[loc] {
				seen[loc] = true
				keys.Locations = append(keys.Locations, loc)
			}
		}
	}
	found, err := s.lookup.Lookup(ctx, keys)
	if err != nil {
		return order.Facts{}, err
	}
	return order.Facts{SKUs: skus, Products: found.Products, Stores: found.Stores, Slots: found.Slots, Locations: found.Locations}, nil
}

// Positions of the placement's writes after the lines and the slot.
const (
	placeOrder = iota
	placeReservation
	placeHolds
	placeComplete
)

// placeItems builds the placement transaction: lines, then the slot, the
// order, the reservation, the shopper's holds and the completion, in that
// order (the cancellation reasons are read by position), then risk
// control's counters, which have no condition.
func (s *Service) placeItems(o order.Order, complete Complete, counters []types.TransactWriteItem) ([]types.TransactWriteItem, error) {
	items := make([]types.TransactWriteItem, 0, len(o.Lines)+5+len(counters))
	for _, l := range o.Lines {
		it, err := takeStock(s.catalogTable, l.SKUID, l.Quantity, l.Sources, -1)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	if o.Booking != nil {
		it, err := dynamo.Update(s.catalogTable, catalog.SlotKey(o.Booking.SlotID),
			expression.Set(nameBooked, nameBooked.Plus(expression.Value(1))),
			expression.AttributeExists(namePK).And(nameBooked.LessThan(expression.Name("capacity"))), true)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	placed, err := s.orders.PlaceItems(o, true)
	if err != nil {
		return nil, err
	}
	hold, err := s.orders.HoldItem(o.CustomerID, o.Units(), s.holds)
	if err != nil {
		return nil, err
	}
	items = append(items, placed...)
	items = append(items, hold)
	if complete != nil {
		ci, err := complete(o)
		if err != nil {
			return nil, err
		}
		items = append(items, ci)
	}
	return append(items, counters...), nil
}

// takeStock is the conditional update that moves qty units of a SKU
// (sign -1: taken, +1: given back), from or to each source's location in
// the SKU's per-location stock and its total alike, in one write. Taking
// requires every source (or the total, for a SKU stocked in one place) to
// have enough; giving back requires only that the SKU exists.
func takeStock(table, skuID string, qty int64, sources []order.Source, sign int64) (types.TransactWriteItem, error) {
	upd := expression.Set(nameAvailable, nameAvailable.Plus(expression.Value(sign*qty)))
	cond := expression.AttributeExists(namePK)
	if len(sources) == 0 && sign < 0 {
		cond = cond.And(nameAvailable.GreaterThanEqual(expression.Value(qty)))
	}
	for _, src := range sources {
		at := expression.Name("stock." + src.LocationID)
		upd = upd.Set(at, at.Plus(expression.Value(sign*src.Quantity)))
		if sign < 0 {
			cond = cond.And(at.GreaterThanEqual(expression.Value(src.Quantity)))
		}
	}
	return dynamo.Update(table, catalog.SKUKey(skuID), upd, cond, sign < 0)
}

// placeFailed reads a cancelled placement reason by reason: which lines are
// short and by how much, whether the slot is full, whether the shopper
// holds too much, whether the idempotency claim was lost.
func (s *Service) placeFailed(err error, o order.Order, withComplete bool) error {
	failed, ok := dynamo.Failed(err)
	if !ok {
		return fmt.Errorf("place order: %w", err)
	}
	n := len(o.Lines)
	slotIdx, base := -1, n
	if o.Booking != nil {
		slotIdx, base = n, n+1
	}
	var short []order.ShortLine
	var full *order.FullSlot
	for i, item := range failed {
		switch {
		case i < n:
			short = append(short, shortFrom(i, o, item))
		case i == slotIdx:
			full = &order.FullSlot{SlotID: o.Booking.SlotID, Capacity: int(dynamo.Num(item, "capacity")), Booked: int(dynamo.Num(item, "booked"))}
		case i == base+placeHolds:
			orders, units := orderdb.HeldBy(item)
			return ErrTooManyHolds.With(map[string]any{"unpaidOrders": orders, "heldUnits": units,
				"maxUnpaidOrders": s.holds.Orders, "maxHeldUnits": s.holds.Units})
		case i == base+placeComplete && withComplete:
			return ErrClaimLost
		default:
			return fmt.Errorf("place order %s: item %d failed its condition: %w", o.ID, i, err)
		}
	}
	if short == nil && full == nil {
		return fmt.Errorf("place order: %w", err)
	}
	slices.SortFunc(short, func(a, b order.ShortLine) int { return a.Line - b.Line })
	return order.Shortage(short, full)
}

// shortFrom says how short line i is, from its SKU's item as the failed
// transaction found it: what the pickup store has, else what is left.
func shortFrom(i int, o order.Order, item map[string]types.AttributeValue) order.ShortLine {
	l := o.Lines[i]
	sl := order.ShortLine{Line: i, SKUID: l.SKUID, Requested: l.Quantity, Available: dynamo.Num(item, "available")}
	if o.Fulfilment.Type == order.Pickup && len(l.Sources) == 1 {
		sl.LocationID = l.Sources[0].LocationID
		sl.Available = 0
		if m, ok := item["stock"].(*types.AttributeValueMemberM); ok {
			sl.Available = dynamo.Num(m.Value, sl.LocationID)
		}
	}
	return sl
}
