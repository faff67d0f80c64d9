package checkout

import (
	"context"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
)

// Event types checkout emits through the outbox, each at version 1.
const (
	TypeOrderPaid       = "OrderPaid"
	TypeRefundSucceeded = "RefundSucceeded"
	// TypeRefundFailed is a refund that had succeeded and then failed: the
	// money is back with the merchant.
	TypeRefundFailed  = "RefundFailed"
	TypeDisputeOpened = "DisputeOpened"
	TypeDisputeClosed = "DisputeClosed"
)

// OrderPaid is the data of an OrderPaid event.
type OrderPaid struct {
	OrderID    string       `json:"orderId"`
	CustomerID string       `json:"customerId"`
	Total      money.Money  `json:"total"`
	Lines      []order.Line `json:"lines"`
	PaidAt     time.Time    `json:"paidAt"`
	Provider   string       `json:"provider"`
	IntentID   string       `json:"intentId"`
}

// RefundChanged is the data of RefundSucceeded and RefundFailed events:
// the refund and the order's lines and total, so consumers split it across
// merchants in proportion.
type RefundChanged struct {
	OrderID          string      `json:"orderId"`
	RefundID         string      `json:"refundId"`
	ProviderRefundID string      `json:"providerRefundId,omitempty"`
	Amount           money.Money `json:"amount"`
	Origin           string      `json:"origin"`
	// Refunded is the order's sum of succeeded refunds once this change is
	// applied, so a consumer splits refunds cumulatively and exactly.
	Refunded money.Money  `json:"refunded"`
	Total    money.Money  `json:"total"`
	Lines    []order.Line `json:"lines"`
	Provider string       `json:"provider"`
	IntentID string       `json:"intentId"`
}

// Dispute is the data of dispute events.
type Dispute struct {
	OrderID   string       `json:"orderId"`
	DisputeID string       `json:"disputeId"`
	Status    string       `json:"status,omitempty"`
	Amount    money.Money  `json:"amount"`
	Total     money.Money  `json:"total"`
	Lines     []order.Line `json:"lines"`
}

// publish sends events right after their commit; the scheduled relay
// sends any that this misses, and consumers drop repeats.
func (s *Service) publish(ctx context.Context, events ...outbox.Event) {
	for _, e := range events {
		if err := s.relay.Send(ctx, e); err != nil {
			logging.From(ctx).Warn("publish event; the outbox relay will retry", "event_id", e.ID, "error", err)
		}
	}
}

// RelayOutbox publishes outbox events that were not sent right after
// their commit (a crash, an outage), at most limit. It returns how many it
// sent and how many were waiting.
func (s *Service) RelayOutbox(ctx context.Context, limit int) (sent, pending int, err error) {
	return s.relay.RelayPending(ctx, limit)
}
