package order

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// RefundStatus is where a refund stands. A refund is money-final only when
// the provider says it SUCCEEDED; until then its amount is reserved on the
// order (RefundPending), and a FAILED refund gives it back.
type RefundStatus string

// Refund statuses.
const (
	RefundPending   RefundStatus = "PENDING"
	RefundSucceeded RefundStatus = "SUCCEEDED"
	RefundFailed    RefundStatus = "FAILED"
)

// refundTransitions is the one table of allowed refund status changes: a
// stale "pending" never moves a final refund back, and a provider may
// report a confirmed refund failed later (the money comes back).
var refundTransitions = map[RefundStatus][]RefundStatus{
	RefundPending:   {RefundSucceeded, RefundFailed},
	RefundSucceeded: {RefundFailed},
}

// CanRefundTransition reports whether a refund may move from one status to another.
func CanRefundTransition(from, to RefundStatus) bool {
	for _, s := range refundTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// RefundStatuses returns every refund status.
func RefundStatuses() []RefundStatus {
	return []RefundStatus{RefundPending, RefundSucceeded, RefundFailed}
}

// ProviderRefundStatus maps a provider's refund status to ours; "" for a
// status that is not final news (requires_action, unknown).
func ProviderRefundStatus(provider string) RefundStatus {
	switch provider {
	case "succeeded":
		return RefundSucceeded
	case "failed", "canceled":
		return RefundFailed
	case "pending":
		return RefundPending
	}
	return ""
}

// Origins of refunds.
const (
	// RefundRequested was asked for through the API by a merchant or ops.
	RefundRequested = "requested"
	// RefundLatePayment returns a payment that arrived after the order ended.
	RefundLatePayment = "late_payment"
	// RefundAtProvider was made outside jiaoyi (the provider's dashboard).
	RefundAtProvider = "provider"
	// RefundRiskRejected returns the payment of an order an operator
	// rejected in risk review.
	RefundRiskRejected = "risk_rejected"
)

// Refund is a refund of an order, stored beside it.
type Refund struct {
	ID               string       `json:"id" dynamodbav:"id"`
	OrderID          string       `json:"orderId" dynamodbav:"orderId"`
	Amount           money.Money  `json:"amount" dynamodbav:"amount"`
	Status           RefundStatus `json:"status" dynamodbav:"status"`
	ProviderRefundID string       `json:"providerRefundId,omitempty" dynamodbav:"providerRefundId,omitempty"`
	Reason           string       `json:"reason,omitempty" dynamodbav:"reason,omitempty"`
	Origin           string       `json:"origin,omitempty" dynamodbav:"origin,omitempty"`
	// FailureReason is the provider's word on a refusal.
	FailureReason string    `json:"failureReason,omitempty" dynamodbav:"failureReason,omitempty"`
	CreatedAt     time.Time `json:"createdAt" dynamodbav:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt,omitzero" dynamodbav:"updatedAt,omitempty"`
	// Submitted records that the provider has the refund.
	Submitted bool `json:"-" dynamodbav:"submitted"`
	// Fingerprint binds the refund to the request that created it, for as
	// long as the refund exists: the same key with another request is refused.
	Fingerprint string `json:"-" dynamodbav:"fingerprint,omitempty"`
}

// Errors of refund arithmetic.
var (
	ErrNotRefundable     = problem.New(problem.Conflict, "only a paid order can be refunded")
	ErrNothingToRefund   = problem.New(problem.Conflict, "nothing is left to refund on this order")
	ErrRefundCurrency    = &problem.Error{Code: problem.Unprocessable, Field: "amount.currency", Message: "the refund's currency is not the order's"}
	errRefundUnderflow   = errors.New("order: refund amounts would go negative")
	errRefundNotTracked  = errors.New("order: refund is not in a state that holds an amount")
	errRefundedTooLittle = errors.New("order: refunded more than captured")
)

// Refundable is what may still be refunded: the captured total less
// confirmed and pending refunds.
func (o Order) Refundable() money.Money {
	return money.Money{Amount: o.Total.Amount - o.Refunded.Amount - o.RefundPending.Amount, Currency: o.Total.Currency}
}

// ReserveRefund reserves amount of a paid order (being fulfilled or not)
// for a refund that is about to be asked for. Returns ErrNotRefundable for
// an order that is not paid,
// ErrNothingToRefund when nothing is left, and an Unprocessable problem
// naming amount.amount when amount exceeds what is left.
func (o *Order) ReserveRefund(amount money.Money) error {
	if !slices.Contains(refundable, o.Status) {
		return ErrNotRefundable.With(map[string]any{"status": o.Status})
	}
	return o.reserve(amount)
}

// ReserveOwedRefund reserves the whole captured amount of an order that
// ended before its payment arrived (or whose payment is under review), so
// the refund is recorded before the provider is asked.
func (o *Order) ReserveOwedRefund() error {
	return o.reserve(o.Refundable())
}

func (o *Order) reserve(amount money.Money) error {
	left := o.Refundable()
	if amount.Currency != o.Total.Currency {
		return ErrRefundCurrency
	}
	if left.Amount <= 0 {
		return ErrNothingToRefund.With(map[string]any{"refundable": left})
	}
	if amount.Amount < 1 {
		return &problem.Error{Code: problem.Unprocessable, Field: "amount.amount", Message: "a refund must be at least 1 minor unit"}
	}
	if amount.Amount > left.Amount {
		return (&problem.Error{Code: problem.Unprocessable, Field: "amount.amount",
			Message: fmt.Sprintf("at most %s is left to refund", left)}).With(map[string]any{"refundable": left})
	}
	o.RefundPending.Amount += amount.Amount
	return nil
}

// SettleRefund applies refund r's move from its current status to to: a
// success makes its amount refunded (and the order REFUNDED once the
// confirmed refunds reach the total), a failure gives it back. It updates
// r too. Returns ErrTransition-wrapped errors for moves the refund state
// machine forbids; callers treat those as stale news.
func (o *Order) SettleRefund(r *Refund, to RefundStatus, at time.Time) error {
	if !CanRefundTransition(r.Status, to) {
		return fmt.Errorf("%w: refund %s is %s and cannot become %s", ErrTransition, r.ID, r.Status, to)
	}
	amt := r.Amount.Amount
	switch {
	case r.Status == RefundPending && to == RefundSucceeded:
		o.RefundPending.Amount -= amt
		o.Refunded.Amount += amt
	case r.Status == RefundPending && to == RefundFailed:
		o.RefundPending.Amount -= amt
	case r.Status == RefundSucceeded && to == RefundFailed:
		o.Refunded.Amount -= amt
	default:
		return errRefundNotTracked
	}
	if o.RefundPending.Amount < 0 || o.Refunded.Amount < 0 {
		return errRefundUnderflow
	}
	if o.Refunded.Amount > o.Total.Amount {
		return errRefundedTooLittle
	}
	r.Status, r.UpdatedAt = to, at
	switch {
	case o.Refunded.Amount == o.Total.Amount && o.Status != Refunded:
		return o.Transition(Refunded, at, "refunded in full ("+r.ID+")")
	case o.Refunded.Amount > 0 && slices.Contains([]Status{Delivered, PickedUp, Completed}, o.Status):
		return o.Transition(PartiallyRefunded, at, "refunded in part ("+r.ID+")")
	case (o.Status == Refunded && o.Refunded.Amount < o.Total.Amount) || (o.Status == PartiallyRefunded && o.Refunded.Amount == 0):
		return o.Transition(o.unrefundedStatus(), at, "refund "+r.ID+" failed after it succeeded")
	}
	return nil
}

// unrefundedStatus is where an order whose confirmed refunds shrank goes
// back to: the status it had before refunds changed it (PARTIALLY_REFUNDED
// if it was in the shopper's hands and some refund still stands); an order
// refunded because it ended unpaid (expired, cancelled, under review)
// holds the money again, so it is PAID.
func (o Order) unrefundedStatus() Status {
	base := Paid
	for i := len(o.History) - 1; i >= 0; i-- {
		if s := o.History[i].Status; s != Refunded && s != PartiallyRefunded {
			base = s
			break
		}
	}
	switch {
	case !slices.Contains(refundable, base):
		return Paid
	case o.Refunded.Amount > 0 && slices.Contains(handedOver, base):
		return PartiallyRefunded
	}
	return base
}

// RecordProviderRefund takes in a refund made at the provider, outside
// jiaoyi, in status st: its amount is reserved as pending and, if st is
// final, settled at once.
func (o *Order) RecordProviderRefund(r *Refund, at time.Time) error {
	st := r.Status
	r.Status = RefundPending
	if r.Amount.Currency != o.Total.Currency {
		return ErrRefundCurrency
	}
	// The provider already holds it, so it counts whatever jiaoyi reserved.
	o.RefundPending.Amount += r.Amount.Amount
	if o.Refunded.Amount+o.RefundPending.Amount > o.Total.Amount {
		return errRefundedTooLittle
	}
	if st == RefundPending || st == "" {
		return nil
	}
	return o.SettleRefund(r, st, at)
}
