package order

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// ShortLine says how much of a line's SKU is left.
type ShortLine struct {
	Line      int    `json:"line"`
	SKUID     string `json:"skuId"`
	Requested int64  `json:"requested"`
	Available int64  `json:"available"`
	// LocationID names the store a pickup line was asked of; Available is
	// then what that store has.
	LocationID string `json:"locationId,omitempty"`
}

// FullSlot says how full a slot is.
type FullSlot struct {
	SlotID   string `json:"slotId"`
	Capacity int    `json:"capacity"`
	Booked   int    `json:"booked"`
}

// Errors of building and placing an order.
var (
	ErrOutOfStock = problem.New(problem.Conflict, "not enough stock for some lines")
	ErrSlotFull   = problem.New(problem.Conflict, "the booked slot is full")
)

// Shortage is the 409 answer naming what is short: ErrOutOfStock when any
// line is short (with the full slot too, if it is), else ErrSlotFull.
func Shortage(short []ShortLine, full *FullSlot) error {
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

// Facts is what the catalog says about a request: its SKUs, their
// products, and the stores and slots it names.
type Facts struct {
	SKUs      map[string]catalog.SKU
	Products  map[string]catalog.Product
	Stores    map[string]catalog.Store
	Slots     map[string]catalog.Slot
	Locations map[string]catalog.Location
}

// Build makes a new PENDING_PAYMENT order for customerID from a validated
// request and the catalog's facts: prices and currency from the catalog,
// each line's merchant from its product, the booking from the slot. It
// checks what the catalog already shows (unknown or inactive products,
// mixed currencies, totals out of range, unknown stores, past slots; short
// stock and a full slot as ErrOutOfStock/ErrSlotFull with what is left);
// the placement transaction's conditions decide the races.
func Build(req PlaceRequest, orderID, customerID string, facts Facts, now time.Time) (Order, error) {
	o := Order{
		ID: orderID, CustomerID: customerID, Status: PendingPayment, Version: 1,
		Fulfilment: req.Fulfilment, CreatedAt: now, UpdatedAt: now,
		History: []Change{{Status: PendingPayment, At: now, Reason: "placed"}},
	}
	var short []ShortLine
	for i, l := range req.Lines {
		f := fmt.Sprintf("lines[%d].skuId", i)
		sku, ok := facts.SKUs[l.SKUID]
		if !ok {
			return Order{}, unprocessable(f, "unknown SKU "+l.SKUID)
		}
		p, ok := facts.Products[sku.ProductID]
		if !ok {
			return Order{}, fmt.Errorf("sku %s: product %s missing from catalog", sku.ID, sku.ProductID)
		}
		if p.Status != catalog.Active {
			return Order{}, unprocessable(f, fmt.Sprintf("product %s is not for sale", p.ID))
		}
		if i > 0 && sku.Price.Currency != o.Lines[0].UnitPrice.Currency {
			return Order{}, unprocessable(f, fmt.Sprintf("mixed currencies: this SKU is priced in %s, lines[0] in %s; place one order per currency",
				sku.Price.Currency, o.Lines[0].UnitPrice.Currency))
		}
		total, err := sku.Price.Times(l.Quantity)
		if err != nil {
			return Order{}, unprocessable(fmt.Sprintf("lines[%d].quantity", i), "line total is out of range")
		}
		sources, have := Allocate(sku, l.Quantity, req.Fulfilment, facts.Locations)
		if have < l.Quantity {
			sl := ShortLine{Line: i, SKUID: sku.ID, Requested: l.Quantity, Available: have}
			if req.Fulfilment.Type == Pickup && len(sku.Stock) > 0 {
				sl.LocationID = req.Fulfilment.StoreID
			}
			short = append(short, sl)
		}
		attrs := sku.Attributes
		if attrs == nil {
			attrs = []catalog.Attribute{}
		}
		o.Lines = append(o.Lines, Line{
			SKUID: sku.ID, ProductID: p.ID, MerchantID: p.MerchantID, Category: p.Category, Name: p.Name, Attributes: attrs,
			UnitPrice: sku.Price, Quantity: l.Quantity, Total: total, Sources: sources,
		})
	}
	cur := o.Lines[0].UnitPrice.Currency
	o.Total, o.Refunded, o.RefundPending = money.Money{Currency: cur}, money.Money{Currency: cur}, money.Money{Currency: cur}
	for i, l := range o.Lines {
		var err error
		if o.Total, err = o.Total.Add(l.Total); err != nil {
			return Order{}, unprocessable(fmt.Sprintf("lines[%d].quantity", i), "order total is out of range")
		}
	}
	if req.Fulfilment.Type == Pickup {
		if _, ok := facts.Stores[req.Fulfilment.StoreID]; !ok {
			return Order{}, unprocessable("fulfilment.storeId", "unknown store "+req.Fulfilment.StoreID)
		}
	}
	var full *FullSlot
	if b := req.Booking; b != nil {
		if _, ok := facts.Stores[b.StoreID]; !ok {
			return Order{}, unprocessable("booking.storeId", "unknown store "+b.StoreID)
		}
		slot, ok := facts.Slots[b.SlotID]
		if !ok || slot.StoreID != b.StoreID {
			return Order{}, unprocessable("booking.slotId", "store "+b.StoreID+" has no slot "+b.SlotID)
		}
		if !slot.Start.After(now) {
			return Order{}, unprocessable("booking.slotId", "slot "+b.SlotID+" starts at "+slot.Start.Format("2006-01-02T15:04Z07:00")+", which is in the past")
		}
		o.Booking = &Booking{StoreID: b.StoreID, SlotID: b.SlotID, ServiceID: slot.ServiceID, Start: slot.Start, End: slot.End}
		if slot.Booked >= slot.Capacity {
			full = &FullSlot{SlotID: slot.ID, Capacity: slot.Capacity, Booked: slot.Booked}
		}
	}
	if len(short) > 0 || full != nil {
		return Order{}, Shortage(short, full)
	}
	return o, nil
}

// Units is the number of items the order holds.
func (o Order) Units() int64 {
	var n int64
	for _, l := range o.Lines {
		n += l.Quantity
	}
	return n
}

func unprocessable(field, msg string) error {
	return &problem.Error{Code: problem.Unprocessable, Field: field, Message: msg}
}

// Allocate chooses where a line of qty units of sku comes from: a pickup
// from the chosen store only; a ship order from one location with enough
// stock, the address's region first, else the one with most (ties by id);
// split across locations (most stock first) only if no single one can
// serve it. It returns the sources and the stock that could serve the
// line (less than qty when it is short). A SKU without per-location stock
// needs no sources.
func Allocate(sku catalog.SKU, qty int64, f Fulfilment, locations map[string]catalog.Location) ([]Source, int64) {
	if len(sku.Stock) == 0 {
		return nil, sku.Available
	}
	if f.Type == Pickup {
		have := sku.Stock[f.StoreID]
		if have < qty {
			return nil, have
		}
		return []Source{{LocationID: f.StoreID, Quantity: qty}}, have
	}
	region := ""
	if f.Address != nil {
		region = f.Address.Region
	}
	type cand struct {
		id    string
		stock int64
		near  bool
	}
	var cs []cand
	var total int64
	for loc, n := range sku.Stock {
		if n <= 0 {
			continue
		}
		l, ok := locations[loc]
		cs = append(cs, cand{loc, n, ok && region != "" && l.Region == region})
		total += n
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if a.near != b.near {
			if a.near {
				return -1
			}
			return 1
		}
		if a.stock != b.stock {
			return cmp.Compare(b.stock, a.stock)
		}
		return cmp.Compare(a.id, b.id)
	})
	for _, c := range cs {
		if c.stock >= qty {
			return []Source{{LocationID: c.id, Quantity: qty}}, total
		}
	}
	if total < qty {
		return nil, total
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if a.stock != b.stock {
			return cmp.Compare(b.stock, a.stock)
		}
		return cmp.Compare(a.id, b.id)
	})
	var out []Source
	left := qty
	for _, c := range cs {
		take := min(c.stock, left)
		out = append(out, Source{LocationID: c.id, Quantity: take})
		if left -= take; left == 0 {
			break
		}
	}
	return out, total
}
