// Package order is the order: its lines, fulfilment, optional store
// booking, payment and status, and the state machine its status follows.
package order

import (
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
)

// transitions is the one table of allowed status changes.
var transitions = map[Status][]Status{
	PendingPayment: {Paid, PaymentFailed, Expired, Cancelled},
	PaymentFailed:  {Cancelled},
	// A payment that succeeds after the order expired or was cancelled is
	// refunded automatically; a paid order can be refunded in full.
	Expired:   {Refunded},
	Cancelled: {Refunded},
	Paid:      {Refunded},
}

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
	return []Status{PendingPayment, Paid, PaymentFailed, Cancelled, Expired, Refunded}
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
	SKUID      string              `json:"skuId" dynamodbav:"skuId"`
	ProductID  string              `json:"productId" dynamodbav:"productId"`
	Name       catalog.Text        `json:"name" dynamodbav:"name"`
	Attributes []catalog.Attribute `json:"attributes" dynamodbav:"attributes"`
	UnitPrice  money.Money         `json:"unitPrice" dynamodbav:"unitPrice"`
	Quantity   int64               `json:"quantity" dynamodbav:"quantity"`
	Total      money.Money         `json:"total" dynamodbav:"total"`
}

// Booking is a reserved store service slot.
type Booking struct {
	StoreID   string    `json:"storeId" dynamodbav:"storeId"`
	SlotID    string    `json:"slotId" dynamodbav:"slotId"`
	ServiceID string    `json:"serviceId" dynamodbav:"serviceId"`
	Start     time.Time `json:"start" dynamodbav:"start"`
	End       time.Time `json:"end" dynamodbav:"end"`
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
	// Refunded is the sum of refunds taken from Total so far.
	Refunded   money.Money `json:"refunded" dynamodbav:"refunded"`
	Fulfilment Fulfilment  `json:"fulfilment" dynamodbav:"fulfilment"`
	Booking    *Booking    `json:"booking,omitempty" dynamodbav:"booking,omitempty"`
	Payment    Payment     `json:"payment" dynamodbav:"payment"`
	History    []Change    `json:"history" dynamodbav:"history"`
	// Refunds are read with the order; each is its own item beside it.
	Refunds   []Refund  `json:"refunds,omitempty" dynamodbav:"-"`
	CreatedAt time.Time `json:"createdAt" dynamodbav:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt" dynamodbav:"updatedAt"`
}

// Refund is a refund of an order; its status follows the provider's
// refund events (PENDING, SUCCEEDED, FAILED).
type Refund struct {
	ID               string      `json:"id" dynamodbav:"id"`
	OrderID          string      `json:"orderId" dynamodbav:"orderId"`
	Amount           money.Money `json:"amount" dynamodbav:"amount"`
	Status           string      `json:"status" dynamodbav:"status"`
	ProviderRefundID string      `json:"providerRefundId,omitempty" dynamodbav:"providerRefundId,omitempty"`
	Reason           string      `json:"reason,omitempty" dynamodbav:"reason,omitempty"`
	CreatedAt        time.Time   `json:"createdAt" dynamodbav:"createdAt"`
	// Submitted records that the provider has the refund.
	Submitted bool `json:"-" dynamodbav:"submitted"`
}
