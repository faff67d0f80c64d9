package order

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

func TestTransitions(t *testing.T) {
	allowed := map[[2]Status]bool{
		{PendingPayment, Paid}: true, {PendingPayment, PaymentFailed}: true,
		{PendingPayment, Expired}: true, {PendingPayment, Cancelled}: true,
		{PaymentFailed, Cancelled}: true,
		{Expired, Refunded}:        true, {Cancelled, Refunded}: true, {Paid, Refunded}: true,
		// A captured payment that does not match the order waits for review.
		{PendingPayment, PaymentReview}: true, {PaymentReview, Paid}: true, {PaymentReview, Refunded}: true,
		// Risk control's review of a paid order: approved, or rejected
		// (cancelled, then refunded).
		{PendingPayment, PendingReview}: true, {PendingReview, Paid}: true, {PendingReview, Cancelled}: true,
		// A confirmed refund the provider later reports failed: back to
		// where the order stood.
		{Refunded, Paid}: true, {Refunded, Fulfilling}: true, {Refunded, Shipped}: true,
		{Refunded, Delivered}: true, {Refunded, ReadyForPickup}: true, {Refunded, PickedUp}: true,
		{Refunded, Completed}: true, {Refunded, PartiallyRefunded}: true,
		{PartiallyRefunded, Delivered}: true, {PartiallyRefunded, PickedUp}: true, {PartiallyRefunded, Completed}: true,
		// After the handover: the return window closes, part is refunded.
		{Delivered, Completed}: true, {PickedUp, Completed}: true,
		{Delivered, PartiallyRefunded}: true, {PickedUp, PartiallyRefunded}: true,
		{Completed, PartiallyRefunded}: true, {Completed, Refunded}: true, {PartiallyRefunded, Refunded}: true,
		// Fulfilment, refundable throughout.
		{Paid, Fulfilling}: true, {Paid, Shipped}: true, {Paid, ReadyForPickup}: true,
		{Fulfilling, Shipped}: true, {Shipped, Delivered}: true, {ReadyForPickup, PickedUp}: true,
		{Fulfilling, Refunded}: true, {Shipped, Refunded}: true, {Delivered, Refunded}: true,
		{ReadyForPickup, Refunded}: true, {PickedUp, Refunded}: true,
	}
	// Every pair of statuses, so a change to the table cannot slip by.
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			if got, want := CanTransition(from, to), allowed[[2]Status{from, to}]; got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
}

func TestPlaceRequestValidate(t *testing.T) {
	sku := "sku_abcdefghijklmnop"
	store := "sto_abcdefghijklmnop"
	ship := Fulfilment{Type: Ship, Address: &Address{Name: "n", Phone: "p", Line1: "l", City: "c", Country: "CN"}}
	lines := func(n int) []LineRequest {
		out := make([]LineRequest, n)
		for i := range out {
			out[i] = LineRequest{SKUID: "sku_" + strings.Repeat(string(rune('a'+i%26)), 8) + strings.Repeat(string(rune('a'+i/26)), 8), Quantity: 1}
		}
		return out
	}
	withAddr := func(mod func(*Address)) Fulfilment {
		a := *ship.Address
		mod(&a)
		return Fulfilment{Type: Ship, Address: &a}
	}
	tests := []struct {
		name      string
		req       PlaceRequest
		wantField string
	}{
		{"ok ship", PlaceRequest{Lines: []LineRequest{{sku, 1}}, Fulfilment: ship}, ""},
		{"ok pickup with booking", PlaceRequest{Lines: []LineRequest{{sku, 99}}, Fulfilment: Fulfilment{Type: Pickup, StoreID: store},
			Booking: &BookingRequest{StoreID: store, SlotID: "slt_abcdefghijklmnop"}}, ""},
		{"max lines", PlaceRequest{Lines: lines(MaxLines), Fulfilment: ship}, ""},
		{"too many lines", PlaceRequest{Lines: lines(MaxLines + 1), Fulfilment: ship}, "lines"},
		{"no lines", PlaceRequest{Fulfilment: ship}, "lines"},
		{"negative quantity", PlaceRequest{Lines: []LineRequest{{sku, -1}}, Fulfilment: ship}, "lines[0].quantity"},
		{"quantity over limit", PlaceRequest{Lines: []LineRequest{{sku, MaxQuantity + 1}}, Fulfilment: ship}, "lines[0].quantity"},
		{"duplicate sku", PlaceRequest{Lines: []LineRequest{{sku, 1}, {sku, 2}}, Fulfilment: ship}, "lines[1].skuId"},
		{"bad sku", PlaceRequest{Lines: []LineRequest{{"prd_abcdefghijklmnop", 1}}, Fulfilment: ship}, "lines[0].skuId"},
		{"missing type", PlaceRequest{Lines: []LineRequest{{sku, 1}}}, "fulfilment.type"},
		{"pickup with address", PlaceRequest{Lines: []LineRequest{{sku, 1}}, Fulfilment: Fulfilment{Type: Pickup, StoreID: store, Address: ship.Address}}, "fulfilment.address"},
		{"ship with store", PlaceRequest{Lines: []LineRequest{{sku, 1}}, Fulfilment: Fulfilment{Type: Ship, StoreID: store, Address: ship.Address}}, "fulfilment.storeId"},
		{"pickup bad store", PlaceRequest{Lines: []LineRequest{{sku, 1}}, Fulfilment: Fulfilment{Type: Pickup, StoreID: "x"}}, "fulfilment.storeId"},
		{"blank name", PlaceRequest{Lines: []LineRequest{{sku, 1}}, Fulfilment: withAddr(func(a *Address) { a.Name = "  " })}, "fulfilment.address.name"},
		{"long line1", PlaceRequest{Lines: []LineRequest{{sku, 1}}, Fulfilment: withAddr(func(a *Address) { a.Line1 = strings.Repeat("路", 201) })}, "fulfilment.address.line1"},
		{"newline in city", PlaceRequest{Lines: []LineRequest{{sku, 1}}, Fulfilment: withAddr(func(a *Address) { a.City = "a\nb" })}, "fulfilment.address.city"},
		{"lower-case country", PlaceRequest{Lines: []LineRequest{{sku, 1}}, Fulfilment: withAddr(func(a *Address) { a.Country = "cn" })}, "fulfilment.address.country"},
		{"bad booking slot", PlaceRequest{Lines: []LineRequest{{sku, 1}}, Fulfilment: ship, Booking: &BookingRequest{StoreID: store, SlotID: "slot-1"}}, "booking.slotId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			p := problem.From(err)
			if p.Code != problem.Invalid || p.Field != tt.wantField {
				t.Errorf("got %s field %q (%v), want invalid field %q", p.Code, p.Field, err, tt.wantField)
			}
		})
	}
}
