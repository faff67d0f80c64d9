package checkout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Cancel cancels customerID's pending order and releases its stock and
// slot. Cancelling a cancelled order returns it unchanged. Returns
// ErrOrderNotFound, a Conflict naming the status for an order that can no
// longer be cancelled, or ErrPaymentCaptured.
func (s *Service) Cancel(ctx context.Context, customerID, orderID string) (order.Order, error) {
	if _, err := s.Order(ctx, customerID, orderID); err != nil {
		return order.Order{}, err
	}
	return s.release(ctx, orderID, "", order.Cancelled, "cancelled by customer")
}

// Expire ends the payment hold of an order whose hold is over: the intent is
// cancelled at the provider and stock and slot are released, exactly once
// however often it is called. Returns the order; ErrNotDue before the hold
// ends; ErrPaymentCaptured if the shopper paid; a Conflict if the order has
// moved on (paid, cancelled), which callers treat as done.
func (s *Service) Expire(ctx context.Context, orderID string) (order.Order, error) {
	return s.release(ctx, orderID, "", order.Expired, "payment hold expired")
}

// release moves a pending order to status to, releasing what it holds, in
// one update of the order with the reservation still being held: of any
// number of concurrent releases, one commits and the others find the
// order already released.
//
// A non-empty via is a status passed through in the same write (the saga's
// PAYMENT_FAILED on the way to CANCELLED), so no crash can leave the order
// resting there with its stock held.
func (s *Service) release(ctx context.Context, orderID string, via, to order.Status, reason string) (order.Order, error) {
	changed := false
	o, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		changed = false
		if o.Status == to {
			return nil, orderdb.ErrUnchanged
		}
		if o.Status != order.PendingPayment {
			return nil, problem.New(problem.Conflict, fmt.Sprintf("order %s is %s and cannot become %s", o.ID, o.Status, to)).
				With(map[string]any{"status": o.Status})
		}
		now := s.Now().UTC()
		if to == order.Expired && now.Before(o.Payment.ExpiresAt) {
			return nil, ErrNotDue
		}
		// The provider first: once the intent is cancelled the shopper can no
		// longer pay, so releasing the stock cannot race a payment.
		if o.Payment.ID != "" {
			if _, err := s.payments.CancelIntent(ctx, o.Payment.ID); err != nil {
				if errors.Is(err, payment.ErrIntentSucceeded) {
					return nil, ErrPaymentCaptured
				}
				return nil, fmt.Errorf("cancel payment intent %s: %w", o.Payment.ID, err)
			}
		}
		if via != "" {
			if err := o.Transition(via, now, reason); err != nil {
				return nil, err
			}
		}
		if err := o.Transition(to, now, reason); err != nil {
			return nil, err
		}
		o.Payment.Status = payment.Canceled
		changed = true
		return s.releaseItems(ctx, *o, orderdb.ReservationReleased)
	})
	if errors.Is(err, ErrPaymentCaptured) {
		// The provider's state decides: the shopper paid, even if its
		// webhook has not arrived (or never will).
		if perr := s.succeeded(ctx, orderID, payment.Event{}); perr != nil {
			logging.From(ctx).Error("apply captured payment", "order_id", orderID, "error", perr)
		}
		return o, ErrPaymentCaptured
	}
	if err != nil {
		return o, err
	}
	if changed {
		logging.From(ctx).Info("order released", "order_id", o.ID, "status", to, "reason", reason)
		s.Metrics.Add("Orders"+titleCase(string(to)), 1, metrics.Count, map[string]any{"orderId": o.ID})
	}
	return o, nil
}

// releaseItems are the writes that end an order's reservation (released
// or consumed) with the shopper's hold count, and for a release give its
// stock and slot back. An order whose reservation has already ended holds
// nothing.
func (s *Service) releaseItems(ctx context.Context, o order.Order, status string) ([]types.TransactWriteItem, error) {
	res, ok, err := s.orders.Reservation(ctx, o.ID)
	if err != nil || !ok || res.Status != orderdb.ReservationHeld {
		return nil, err
	}
	end, err := s.orders.SetReservation(o.ID, status)
	if err != nil {
		return nil, err
	}
	items := []types.TransactWriteItem{end}
	if res.Holds {
		unhold, err := s.orders.UnholdItem(o.CustomerID, res.Units())
		if err != nil {
			return nil, err
		}
		items = append(items, unhold)
	}
	if status != orderdb.ReservationReleased {
		return items, nil
	}
	for _, l := range res.Lines {
		it, err := takeStock(s.catalogTable, l.SKUID, l.Quantity, l.Sources, +1)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	if res.SlotID != "" {
		one := expression.Value(1)
		it, err := dynamo.Update(s.catalogTable, catalog.SlotKey(res.SlotID),
			expression.Set(nameBooked, nameBooked.Minus(one)),
			expression.AttributeExists(namePK).And(nameBooked.GreaterThanEqual(one)), false)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// titleCase turns EXPIRED into Expired, for metric names.
func titleCase(s string) string {
	if s == "" {
		return s
	}
	return s[:1] + strings.ToLower(s[1:])
}

// TimeoutMessage is the body of a payment-timeout message.
type TimeoutMessage struct {
	OrderID   string    `json:"orderId"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// maxDelay is SQS's longest DelaySeconds.
const maxDelay = 15 * time.Minute

// scheduleTimeout sends the delayed message that expires the order's hold.
// A failure is logged, not returned: the order is placed, and the sweep of
// expired reservations is the safety net.
func (s *Service) scheduleTimeout(ctx context.Context, orderID string, expiresAt time.Time) {
	if err := s.sendTimeout(ctx, TimeoutMessage{OrderID: orderID, ExpiresAt: expiresAt}); err != nil {
		logging.From(ctx).Error("schedule payment timeout; the sweep will expire the order", "order_id", orderID, "error", err)
	}
}

func (s *Service) sendTimeout(ctx context.Context, m TimeoutMessage) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	delay := m.ExpiresAt.Sub(s.Now())
	delay = min(max(delay, 0), maxDelay)
	_, err = s.queue.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:     &s.timeoutQueueURL,
		MessageBody:  aws.String(string(body)),
		DelaySeconds: int32(math.Ceil(delay.Seconds())),
	})
	if err != nil {
		return fmt.Errorf("send payment timeout: %w", err)
	}
	return nil
}

// HandleTimeout handles one payment-timeout message: a message that arrives
// before the hold ends is sent again with the remaining delay (holds longer
// than SQS's 15-minute maximum are chained); otherwise the order expires.
// Redelivery is harmless: an order is released once. It returns an error
// only when the message should be retried.
func (s *Service) HandleTimeout(ctx context.Context, m TimeoutMessage) error {
	if s.Now().Before(m.ExpiresAt) {
		return s.sendTimeout(ctx, m)
	}
	o, err := s.Expire(ctx, m.OrderID)
	if errors.Is(err, ErrNotDue) {
		// The order's hold ends later than the message said: wait for it.
		return s.sendTimeout(ctx, TimeoutMessage{OrderID: m.OrderID, ExpiresAt: o.Payment.ExpiresAt})
	}
	return settled(ctx, m.OrderID, err)
}

// settled turns the outcome of an expiry into "done" or "retry".
func settled(ctx context.Context, orderID string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrOrderNotFound):
		logging.From(ctx).Warn("payment timeout for unknown order", "order_id", orderID)
		return nil
	case errors.Is(err, ErrPaymentCaptured):
		logging.From(ctx).Info("hold expired but payment captured; applied as paid", "order_id", orderID)
		return nil
	case errors.Is(err, ErrNotDue):
		return err
	case problem.CodeOf(err) == problem.Conflict:
		return nil // paid, cancelled or expired already
	}
	return err
}

// SweepResult counts what a sweep did.
type SweepResult struct {
	Found, Expired, Failed int
}

// Sweep expires every reservation whose hold ended before now: the safety
// net for timeout messages that were never sent or were lost. It reads the
// expiry index shard by shard, at most limit reservations in all.
func (s *Service) Sweep(ctx context.Context, limit int) (SweepResult, error) {
	var res SweepResult
	now := s.Now().UTC().Format(dynamo.TimeLayout)
	for shard := range orderdb.ExpiryShards {
		due, err := s.orders.Expiring(ctx, shard, now, limit-res.Found)
		if err != nil {
			return res, fmt.Errorf("sweep: %w", err)
		}
		for _, r := range due {
			res.Found++
			_, expErr := s.Expire(ctx, r.OrderID)
			switch err := settled(ctx, r.OrderID, expErr); {
			case err != nil:
				res.Failed++
				logging.From(ctx).Error("sweep: expire order", "order_id", r.OrderID, "error", err)
			case expErr == nil:
				res.Expired++
			}
		}
		if res.Found >= limit {
			break
		}
	}
	return res, nil
}
