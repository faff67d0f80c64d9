// Package order is the order: its lines, fulfilment, optional store
// booking, payment, refunds and status; the state machines its status and
// its refunds' statuses follow; and the business rules that need no
// database: building an order from a request and catalog facts, and the
// refundable-amount arithmetic.
package order

import (
	"errors"
	"fmt"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
)

// Status is where an order stands in the payment saga.
type Status string

// The statuses (see the saga in DESIGN.md).
const (
	PendingPayment Status = "PENDING_PAYMENT"
	Paid           Status = "PAID"
	PaymentFailed  Status = "PAYMENT_FAILED"
	Cancelled      Status = "CANCELLED"
	Expired        Status = "EXPIRED"
	Refunded       Status = "REFUNDED"
	// PaymentReview parks an order whose captured payment does not match
	// it (amount, currency or provider): stock stays held, operators decide.
	PaymentReview Status = "PAYMENT_REVIEW"
	// PendingReview holds a paid order that risk control sent to review:
	// stock stays taken, nothing is fulfilled until an operator approves
	// (PAID) or rejects it (CANCELLED, then REFUNDED).
	PendingReview Status = "PENDING_REVIEW"
	// Fulfilment: some lines shipped, all shipped, all delivered; a pickup
	// order ready at its store, then picked up.
	Fulfilling     Status = "FULFILLING"
	Shipped        Status = "SHIPPED"
	Delivered      Status = "DELIVERED"
	ReadyForPickup Status = "READY_FOR_PICKUP"
	PickedUp       Status = "PICKED_UP"
	// After the handover: COMPLETED once the return window has closed
	// with nothing refunded; PARTIALLY_REFUNDED once part of a handed-over
	// order is refunded (or the window closes on an order part-refunded
	// before it arrived). The final status tells what the shopper kept:
	// all (COMPLETED), part (PARTIALLY_REFUNDED) or nothing (REFUNDED).
	Completed         Status = "COMPLETED"
	PartiallyRefunded Status = "PARTIALLY_REFUNDED"
)

// transitions is the one table of allowed status changes.
var transitions = map[Status][]Status{
	PendingPayment: {Paid, PaymentFailed, Expired, Cancelled, PaymentReview, PendingReview},
	PendingReview:  {Paid, Cancelled},
	PaymentFailed:  {Cancelled},
	// A payment that succeeds after the order expired or was cancelled is
	// refunded automatically; a paid order is REFUNDED once refunds the
	// provider confirmed add up to its total.
	Expired:       {Refunded},
	Cancelled:     {Refunded},
	Paid:          {Refunded, Fulfilling, Shipped, ReadyForPickup},
	PaymentReview: {Paid, Refunded},
	// A refund the provider confirmed and later reported failed gives the
	// money back to the order, which returns to where it stood before.
	Refunded: {Paid, Fulfilling, Shipped, Delivered, ReadyForPickup, PickedUp, Completed, PartiallyRefunded},
	// Shipping: a shipment of some lines, then of the rest, then delivery;
	// a merchant may refund at any point (returns, goodwill).
	Fulfilling:     {Shipped, Refunded},
	Shipped:        {Delivered, Refunded},
	Delivered:      {Refunded, PartiallyRefunded, Completed},
	ReadyForPickup: {PickedUp, Refunded},
	PickedUp:       {Refunded, PartiallyRefunded, Completed},
	// After the return window a merchant may still refund (goodwill).
	Completed:         {Refunded, PartiallyRefunded},
	PartiallyRefunded: {Refunded, Delivered, PickedUp, Completed},
}

// refundable are the statuses a merchant or operator may refund from.
var refundable = []Status{Paid, Fulfilling, Shipped, Delivered, ReadyForPickup, PickedUp, Completed, PartiallyRefunded}

// handedOver are the statuses of an order in the shopper's hands.
var handedOver = []Status{Delivered, PickedUp, Completed, PartiallyRefunded}

// CanTransition reports whether an order may move from one status to another.
func CanTransition(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Statuses returns every status.
func Statuses() []Status {
	return []Status{PendingPayment, Paid, PaymentFailed, Cancelled, Expired, Refunded, PaymentReview, PendingReview,
		Fulfilling, Shipped, Delivered, ReadyForPickup, PickedUp, Completed, PartiallyRefunded}
}

// FulfilmentType is how the shopper gets the goods.
type FulfilmentType string

// Fulfilment types.
const (
	Ship   FulfilmentType = "ship"
	Pickup FulfilmentType = "pickup"
)

// Address is a shipping address.
type Address struct {
	Name       string `json:"name" dynamodbav:"name"`
	Phone      string `json:"phone" dynamodbav:"phone"`
	Line1      string `json:"line1" dynamodbav:"line1"`
	Line2      string `json:"line2,omitempty" dynamodbav:"line2,omitempty"`
	City       string `json:"city" dynamodbav:"city"`
	Region     string `json:"region,omitempty" dynamodbav:"region,omitempty"`
	PostalCode string `json:"postalCode,omitempty" dynamodbav:"postalCode,omitempty"`
	// Country is an ISO 3166-1 alpha-2 code.
	Country string `json:"country" dynamodbav:"country"`
}

// Fulfilment is shipping to an address or pickup at a store.
type Fulfilment struct {
	Type    FulfilmentType `json:"type" dynamodbav:"type"`
	Address *Address       `json:"address,omitempty" dynamodbav:"address,omitempty"`
	StoreID string         `json:"storeId,omitempty" dynamodbav:"storeId,omitempty"`
}

// Line is one SKU of an order at the price it was sold at.
type Line struct {
	SKUID     string `json:"skuId" dynamodbav:"skuId"`
	ProductID string `json:"productId" dynamodbav:"productId"`
	// MerchantID sells the line; an order spanning merchants settles to each.
	MerchantID string              `json:"merchantId,omitempty" dynamodbav:"merchantId,omitempty"`
	Category   string              `json:"category,omitempty" dynamodbav:"category,omitempty"`
	Name       catalog.Text        `json:"name" dynamodbav:"name"`
	Attributes []catalog.Attribute `json:"attributes" dynamodbav:"attributes"`
	UnitPrice  money.Money         `json:"unitPrice" dynamodbav:"unitPrice"`
	Quantity   int64               `json:"quantity" dynamodbav:"quantity"`
	Total      money.Money         `json:"total" dynamodbav:"total"`
	// Sources are the locations the line's units come from (one, unless no
	// single location could serve it); none for a SKU stocked in one place.
	Sources []Source `json:"sources,omitempty" dynamodbav:"sources,omitempty"`
	// Shipped counts the units in parcels so far.
	Shipped int64 `json:"shipped,omitempty" dynamodbav:"shipped,omitempty"`
	// Returned counts the units in returns not rejected.
	Returned int64 `json:"returned,omitempty" dynamodbav:"returned,omitempty"`
}

// Source is units of a line taken from one location.
type Source struct {
	LocationID string `json:"locationId" dynamodbav:"locationId"`
	Quantity   int64  `json:"quantity" dynamodbav:"quantity"`
}

// Booking is a reserved store service slot.
type Booking struct {
	StoreID   string    `json:"storeId" dynamodbav:"storeId"`
	SlotID    string    `json:"slotId" dynamodbav:"slotId"`
	ServiceID string    `json:"serviceId" dynamodbav:"serviceId"`
	Start     time.Time `json:"start" dynamodbav:"start"`
	End       time.Time `json:"end" dynamodbav:"end"`
	// CheckIn is issued once the order is paid.
	CheckIn *CheckIn `json:"checkIn,omitempty" dynamodbav:"checkIn,omitempty"`
}

// Change is one entry of an order's status history.
type Change struct {
	Status Status    `json:"status" dynamodbav:"status"`
	At     time.Time `json:"at" dynamodbav:"at"`
	Reason string    `json:"reason" dynamodbav:"reason"`
}

// Payment is what the shopper's app needs to pay, and the hold's expiry.
type Payment struct {
	payment.Intent
	// ExpiresAt is when the hold on stock and slot ends unless paid.
	ExpiresAt time.Time `json:"expiresAt" dynamodbav:"expiresAt"`
}

// Order is a shopper's order.
type Order struct {
	ID         string      `json:"id" dynamodbav:"id"`
	CustomerID string      `json:"-" dynamodbav:"customerId"`
	Status     Status      `json:"status" dynamodbav:"status"`
	Version    int64       `json:"version" dynamodbav:"version"`
	Lines      []Line      `json:"lines" dynamodbav:"lines"`
	Total      money.Money `json:"total" dynamodbav:"total"`
	// Refunded is the sum of refunds the provider confirmed.
	Refunded money.Money `json:"refunded" dynamodbav:"refunded"`
	// RefundPending is the sum of refunds asked for and not yet final:
	// reserved, so concurrent refunds never exceed the capture.
	RefundPending money.Money `json:"refundPending" dynamodbav:"refundPending"`
	Fulfilment    Fulfilment  `json:"fulfilment" dynamodbav:"fulfilment"`
	Booking       *Booking    `json:"booking,omitempty" dynamodbav:"booking,omitempty"`
	Payment       Payment     `json:"payment" dynamodbav:"payment"`
	History       []Change    `json:"history" dynamodbav:"history"`
	// Shipments are the order's parcels with their tracking.
	Shipments []Shipment `json:"shipments,omitempty" dynamodbav:"shipments,omitempty"`
	// Pickup is the code that hands a pickup order over at its store.
	Pickup *PickupCode `json:"pickup,omitempty" dynamodbav:"pickup,omitempty"`
	// Returns are the shopper's after-sales returns.
	Returns []Return `json:"returns,omitempty" dynamodbav:"returns,omitempty"`
	// Risk is risk control's decision at placement and its review: for
	// operators only, never shown to the shopper.
	Risk *Risk `json:"risk,omitempty" dynamodbav:"risk,omitempty"`
	// Refunds are read with the order; each is its own item beside it.
	Refunds []Refund `json:"refunds,omitempty" dynamodbav:"-"`
	// Timeline is shown to the shopper: statuses and tracking in time order.
	Timeline  []TimelineEntry `json:"timeline,omitempty" dynamodbav:"-"`
	CreatedAt time.Time       `json:"createdAt" dynamodbav:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt" dynamodbav:"updatedAt"`
}

// Risk decisions recorded on an order (a blocked order is never placed).
const (
	RiskAllow  = "allow"
	RiskReview = "review"
)

// Review outcomes.
const (
	ReviewApproved = "approved"
	ReviewRejected = "rejected"
)

// Risk is risk control's word on an order.
type Risk struct {
	Decision     string    `json:"decision" dynamodbav:"decision"`
	Score        float64   `json:"score" dynamodbav:"score"`
	ModelVersion string    `json:"modelVersion" dynamodbav:"modelVersion"`
	Rules        []string  `json:"rules" dynamodbav:"rules"`
	AssessedAt   time.Time `json:"assessedAt" dynamodbav:"assessedAt"`
	// Outcome is the review's (approved or rejected), by whom and when.
	Outcome    string    `json:"outcome,omitempty" dynamodbav:"outcome,omitempty"`
	ReviewedBy string    `json:"reviewedBy,omitempty" dynamodbav:"reviewedBy,omitempty"`
	ReviewedAt time.Time `json:"reviewedAt,omitzero" dynamodbav:"reviewedAt,omitempty"`
	Note       string    `json:"note,omitempty" dynamodbav:"note,omitempty"`
}

// HeldForReview reports whether risk control holds the order for review
// once it is paid.
func (o Order) HeldForReview() bool { return o.Risk != nil && o.Risk.Decision == RiskReview }

// Merchants returns the distinct merchants of the order's lines, in line order.
func (o Order) Merchants() []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range o.Lines {
		if !seen[l.MerchantID] {
			seen[l.MerchantID] = true
			out = append(out, l.MerchantID)
		}
	}
	return out
}

// HasMerchant reports whether merchantID sells any of the order's lines.
func (o Order) HasMerchant(merchantID string) bool {
	for _, l := range o.Lines {
		if l.MerchantID == merchantID {
			return true
		}
	}
	return false
}

// Transition moves the order to status to, recording why in its history.
// Returns ErrTransition if the state machine does not allow it.
func (o *Order) Transition(to Status, at time.Time, reason string) error {
	if !CanTransition(o.Status, to) {
		return fmt.Errorf("%w: order %s is %s and cannot become %s", ErrTransition, o.ID, o.Status, to)
	}
	o.Status = to
	o.History = append(o.History, Change{Status: to, At: at, Reason: reason})
	return nil
}

// ErrTransition is a status change the state machine does not allow.
var ErrTransition = errors.New("order: transition not allowed")
