package order

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Limits of one order. A placement is one TransactWriteItems of at most 100
// items: one per line, plus the slot, the order, the reservation and the
// idempotency record; MaxLines leaves room to spare.
const (
	MaxLines     = 50
	MaxQuantity  = 99
	maxTextField = 200
)

// PlaceRequest is the body of POST /orders.
type PlaceRequest struct {
	Lines      []LineRequest   `json:"lines"`
	Fulfilment Fulfilment      `json:"fulfilment"`
	Booking    *BookingRequest `json:"booking,omitempty"`
	// Client is what the shopper's app says of itself (headers, not the
	// body): optional, read only by risk control.
	Client Client `json:"-"`
}

// Client is the optional device and network a request came from.
type Client struct {
	DeviceID string
	IP       string
}

// LineRequest asks for quantity units of a SKU.
type LineRequest struct {
	SKUID    string `json:"skuId"`
	Quantity int64  `json:"quantity"`
}

// BookingRequest asks for a store service slot.
type BookingRequest struct {
	StoreID string `json:"storeId"`
	SlotID  string `json:"slotId"`
}

// Validate checks the request's shape and limits, returning a problem that
// names the first field at fault. Catalog facts (unknown SKUs, prices,
// stock, slots) are checked by checkout.
func (r PlaceRequest) Validate() error {
	if len(r.Lines) == 0 {
		return problem.Field("lines", "an order needs at least one line")
	}
	if len(r.Lines) > MaxLines {
		return problem.Field("lines", fmt.Sprintf("an order has at most %d lines, this one has %d", MaxLines, len(r.Lines)))
	}
	seen := make(map[string]int, len(r.Lines))
	for i, l := range r.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		if !id.Valid(id.SKU, l.SKUID) {
			return problem.Field(f+".skuId", "skuId is malformed: want sku_ followed by 16 characters a-z, 2-7")
		}
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			return problem.Field(f+".quantity", fmt.Sprintf("quantity must be between 1 and %d", MaxQuantity))
		}
		if j, dup := seen[l.SKUID]; dup {
			return problem.Field(f+".skuId", fmt.Sprintf("sku %s is also on lines[%d]: put each SKU on one line", l.SKUID, j))
		}
		seen[l.SKUID] = i
	}
	switch r.Fulfilment.Type {
	case Ship:
		if r.Fulfilment.StoreID != "" {
			return problem.Field("fulfilment.storeId", "storeId is only for pickup")
		}
		if r.Fulfilment.Address == nil {
			return problem.Field("fulfilment.address", "a shipping address is required for ship")
		}
		if err := r.Fulfilment.Address.validate("fulfilment.address"); err != nil {
			return err
		}
	case Pickup:
		if r.Fulfilment.Address != nil {
			return problem.Field("fulfilment.address", "an address is only for ship")
		}
		if !id.Valid(id.Store, r.Fulfilment.StoreID) {
			return problem.Field("fulfilment.storeId", "storeId is malformed: want sto_ followed by 16 characters a-z, 2-7")
		}
	case "":
		return problem.Field("fulfilment.type", `fulfilment.type is required: "ship" or "pickup"`)
	default:
		return problem.Field("fulfilment.type", fmt.Sprintf(`fulfilment.type %q is not "ship" or "pickup"`, r.Fulfilment.Type))
	}
	if b := r.Booking; b != nil {
		if !id.Valid(id.Store, b.StoreID) {
			return problem.Field("booking.storeId", "storeId is malformed: want sto_ followed by 16 characters a-z, 2-7")
		}
		if !id.Valid(id.Slot, b.SlotID) {
			return problem.Field("booking.slotId", "slotId is malformed: want slt_ followed by 16 characters a-z, 2-7")
		}
	}
	return nil
}

func (a *Address) validate(prefix string) error {
	fields := []struct {
		name, value string
		required    bool
	}{
		{"name", a.Name, true}, {"phone", a.Phone, true}, {"line1", a.Line1, true}, {"line2", a.Line2, false},
		{"city", a.City, true}, {"region", a.Region, false}, {"postalCode", a.PostalCode, false},
	}
	for _, f := range fields {
		v := strings.TrimSpace(f.value)
		if f.required && v == "" {
			return problem.Field(prefix+"."+f.name, f.name+" is required")
		}
		if utf8.RuneCountInString(f.value) > maxTextField || !utf8.ValidString(f.value) || strings.ContainsAny(f.value, "\x00\r\n") {
			return problem.Field(prefix+"."+f.name, fmt.Sprintf("%s must be one line of at most %d characters", f.name, maxTextField))
		}
	}
	if len(a.Country) != 2 || strings.ToUpper(a.Country) != a.Country || strings.IndexFunc(a.Country, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return problem.Field(prefix+".country", "country must be an ISO 3166-1 alpha-2 code such as CN")
	}
	return nil
}
