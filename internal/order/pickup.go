package order

import (
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// PickupCode is a pickup order's hand-over code: short, unguessable,
// single-use, bound to the order and its store.
type PickupCode struct {
	StoreID string `json:"storeId" dynamodbav:"storeId"`
	Code    string `json:"code" dynamodbav:"code"`
	// QR is what the shopper's app shows as a QR code for staff to scan.
	QR         string     `json:"qr" dynamodbav:"qr"`
	IssuedAt   time.Time  `json:"issuedAt" dynamodbav:"issuedAt"`
	RedeemedAt *time.Time `json:"redeemedAt,omitempty" dynamodbav:"redeemedAt,omitempty"`
	RedeemedBy string     `json:"-" dynamodbav:"redeemedBy,omitempty"`
	// CollectBy is when an uncollected order is cancelled and refunded.
	CollectBy time.Time `json:"collectBy,omitzero" dynamodbav:"collectBy,omitempty"`
	// ExpiredAt is when it was, its goods back on the store's shelf.
	ExpiredAt *time.Time `json:"expiredAt,omitempty" dynamodbav:"expiredAt,omitempty"`
}

// Errors of pickups.
var (
	ErrNotPickup     = problem.New(problem.Conflict, "only a paid pickup order can be made ready")
	ErrAlreadyPicked = problem.New(problem.Conflict, "this pickup code was already redeemed")
	ErrPickupExpired = problem.New(problem.Conflict, "this order was not collected in time and was cancelled")
)

// Ready makes a paid pickup order READY_FOR_PICKUP with code.
func (o *Order) Ready(code, qr string, at time.Time) error {
	if o.Fulfilment.Type != Pickup || o.Status != Paid {
		return ErrNotPickup.With(map[string]any{"status": o.Status})
	}
	o.Pickup = &PickupCode{StoreID: o.Fulfilment.StoreID, Code: code, QR: qr, IssuedAt: at}
	return o.Transition(ReadyForPickup, at, "ready for pickup")
}

// Redeem hands the order over: READY_FOR_PICKUP → PICKED_UP, once.
func (o *Order) Redeem(by string, at time.Time) error {
	if o.Pickup != nil && o.Pickup.ExpiredAt != nil {
		return ErrPickupExpired
	}
	if o.Pickup == nil || o.Pickup.RedeemedAt != nil || o.Status != ReadyForPickup {
		return ErrAlreadyPicked.With(map[string]any{"status": o.Status})
	}
	o.Pickup.RedeemedAt, o.Pickup.RedeemedBy = &at, by
	return o.Transition(PickedUp, at, "picked up at the store")
}

// ExpirePickup takes an uncollected order off the counter: its code no
// longer hands it over (its refund follows). Returns ErrAlreadyPicked if it
// was collected, and false if it had expired already.
func (o *Order) ExpirePickup(at time.Time) (bool, error) {
	if o.Pickup == nil || o.Pickup.RedeemedAt != nil || o.Status != ReadyForPickup {
		return false, ErrAlreadyPicked.With(map[string]any{"status": o.Status})
	}
	if o.Pickup.ExpiredAt != nil {
		return false, nil
	}
	o.Pickup.ExpiredAt = &at
	return true, nil
}

// CheckIn is a booking's check-in code: shown by the shopper at the store,
// entered by its staff once, or marked a no-show after the slot ends.
type CheckIn struct {
	Code        string     `json:"code" dynamodbav:"code"`
	QR          string     `json:"qr" dynamodbav:"qr"`
	IssuedAt    time.Time  `json:"issuedAt" dynamodbav:"issuedAt"`
	CheckedInAt *time.Time `json:"checkedInAt,omitempty" dynamodbav:"checkedInAt,omitempty"`
	CheckedInBy string     `json:"-" dynamodbav:"checkedInBy,omitempty"`
	NoShowAt    *time.Time `json:"noShowAt,omitempty" dynamodbav:"noShowAt,omitempty"`
}

// Errors of check-ins.
var (
	ErrAlreadyCheckedIn = problem.New(problem.Conflict, "this booking was already checked in")
	ErrNoShow           = problem.New(problem.Conflict, "this booking's slot has ended without a check-in")
)

// IssueCheckIn gives a paid order's booking its check-in code.
func (o *Order) IssueCheckIn(code string, at time.Time) {
	if o.Booking == nil || o.Booking.CheckIn != nil {
		return
	}
	o.Booking.CheckIn = &CheckIn{Code: code, QR: "jiaoyi:checkin:" + o.ID + ":" + code, IssuedAt: at}
}

// CheckInAt records the shopper's arrival for the booking, once, from
// shortly before its slot until it ends.
func (o *Order) CheckInAt(by string, at time.Time) error {
	if o.Booking == nil || o.Booking.CheckIn == nil {
		return ErrAlreadyCheckedIn
	}
	c := o.Booking.CheckIn
	switch {
	case c.CheckedInAt != nil:
		return ErrAlreadyCheckedIn
	case c.NoShowAt != nil:
		return ErrNoShow
	}
	c.CheckedInAt, c.CheckedInBy = &at, by
	return nil
}

// MarkNoShow records that the booking's slot ended without a check-in.
// It returns false if the shopper came (or it was marked already).
func (o *Order) MarkNoShow(at time.Time) bool {
	if o.Booking == nil || o.Booking.CheckIn == nil || o.Booking.CheckIn.CheckedInAt != nil || o.Booking.CheckIn.NoShowAt != nil {
		return false
	}
	o.Booking.CheckIn.NoShowAt = &at
	return true
}
