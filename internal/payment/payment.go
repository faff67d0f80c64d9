// Package payment is jiaoyi's port to payment service providers (PSPs):
// payment intents are created when an order is placed, cancelled when it
// expires or is cancelled, and read back when an event alone cannot tell
// what happened. Adapters live in subpackages: sandbox (built in, for
// `make run` and tests) and, with the payments issue, stripe.
package payment

import (
	"context"
	"errors"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// IntentStatus is where a payment intent stands at the provider.
type IntentStatus string

// Intent statuses, named as Stripe names them.
const (
	RequiresPayment IntentStatus = "requires_payment_method"
	Processing      IntentStatus = "processing"
	Succeeded       IntentStatus = "succeeded"
	Canceled        IntentStatus = "canceled"
)

// Intent is a provider's payment intent for one order.
type Intent struct {
	Provider string       `json:"provider" dynamodbav:"provider"`
	ID       string       `json:"intentId" dynamodbav:"intentId"`
	OrderID  string       `json:"-" dynamodbav:"orderId"`
	Amount   money.Money  `json:"amount" dynamodbav:"amount"`
	Status   IntentStatus `json:"status" dynamodbav:"status"`
	// ClientSecret lets the shopper's app confirm the payment with the
	// provider's SDK. It is shown to the order's owner only, never logged.
	ClientSecret string `json:"clientSecret" dynamodbav:"clientSecret"`
}

// CreateRequest asks for an intent.
type CreateRequest struct {
	OrderID string
	Amount  money.Money
	// IdempotencyKey makes a retried create return the same intent; derive
	// it from our own ids.
	IdempotencyKey string
	Description    string
}

// Provider is a PSP adapter.
type Provider interface {
	// Name is the provider's id in routes and records ("sandbox", "stripe").
	Name() string
	// CreateIntent creates (or, for a repeated idempotency key, returns) an intent.
	CreateIntent(ctx context.Context, req CreateRequest) (Intent, error)
	// GetIntent reads an intent. Returns ErrIntentNotFound.
	GetIntent(ctx context.Context, id string) (Intent, error)
	// CancelIntent cancels an intent; cancelling a cancelled intent is not an
	// error. Returns ErrIntentSucceeded if the money was already taken.
	CancelIntent(ctx context.Context, id string) (Intent, error)
	// Refund returns money of a succeeded intent; a repeated RefundID
	// returns the first refund.
	Refund(ctx context.Context, req RefundRequest) (Refund, error)
}

// Errors callers branch on.
var (
	ErrIntentNotFound  = errors.New("payment: intent not found")
	ErrIntentSucceeded = errors.New("payment: intent already succeeded")
	// ErrUnavailable means the provider could not be reached or failed;
	// the caller may retry.
	ErrUnavailable = problem.New(problem.Unavailable, "the payment provider is unavailable; retry shortly")
)

// EventType is what a provider event says happened, normalised.
type EventType string

// Normalised event types.
const (
	EventSucceeded EventType = "payment.succeeded"
	EventFailed    EventType = "payment.failed"
	EventCanceled  EventType = "payment.canceled"
	EventRefund    EventType = "refund.updated"
	// Dispute events: a chargeback opened, and its outcome.
	EventDisputeOpened EventType = "dispute.opened"
	EventDisputeClosed EventType = "dispute.closed"
)

// Event is a provider's webhook event, normalised for the saga.
type Event struct {
	Provider string    `json:"provider"`
	ID       string    `json:"id"`
	Type     EventType `json:"type"`
	IntentID string    `json:"intentId"`
	OrderID  string    `json:"orderId"`
	// Amount is the intent's amount (payment events) or the refund's.
	Amount  money.Money `json:"amount"`
	Created time.Time   `json:"created"`
	// RefundID is our refund id (refund events), RefundStatus the provider's.
	RefundID     string `json:"refundId,omitempty"`
	RefundStatus string `json:"refundStatus,omitempty"`
	// ProviderRefundID is the provider's id of the refund (refund events);
	// a refund made in the provider's dashboard has no RefundID.
	ProviderRefundID string `json:"providerRefundId,omitempty"`
	// Retryable says a failed payment may still be paid by the shopper
	// (a declined card: another card may work); DeclineCode says why.
	Retryable   bool   `json:"retryable,omitempty"`
	DeclineCode string `json:"declineCode,omitempty"`
	// DisputeID and DisputeStatus describe dispute events.
	DisputeID     string `json:"disputeId,omitempty"`
	DisputeStatus string `json:"disputeStatus,omitempty"`
}

// RefundRequest asks a provider to return money for an intent.
type RefundRequest struct {
	IntentID string
	// OrderID rides with the refund at the provider, so its events name it.
	OrderID string
	// RefundID is our id; providers use it as the idempotency key.
	RefundID string
	Amount   money.Money
	Reason   string
}

// Refund is a provider's refund.
type Refund struct {
	ProviderRefundID string
	Status           string // pending, succeeded, failed
}
