package checkout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Refund statuses, as the order package names them.
const (
	RefundPending   = order.RefundPending
	RefundSucceeded = order.RefundSucceeded
	RefundFailed    = order.RefundFailed
)

// RefundRecord is a refund of an order, stored beside it.
type RefundRecord = order.Refund

// RefundRequest is the body of a refund request.
type RefundRequest struct {
	// Amount defaults to all that is left to refund.
	Amount *money.Money `json:"amount,omitempty"`
	Reason string       `json:"reason,omitempty"`
	// Key is the request's Idempotency-Key; the refund id derives from it.
	Key string `json:"-"`
}

// Validate checks the request's shape.
func (r RefundRequest) Validate() error {
	if r.Amount != nil {
		if _, ok := money.Exponent(r.Amount.Currency); !ok {
			return problem.Field("amount.currency", "currency must be a supported ISO 4217 code such as CNY")
		}
		if r.Amount.Amount < 1 || r.Amount.Amount > money.MaxAmount {
			return problem.Field("amount.amount", fmt.Sprintf("amount must be from 1 to %d minor units", money.MaxAmount))
		}
	}
	if len(r.Reason) > 500 || strings.ContainsRune(r.Reason, 0) {
		return problem.Field("reason", "reason must be at most 500 characters")
	}
	return nil
}

// fingerprint binds a refund to what was asked.
func (r RefundRequest) fingerprint() string {
	amount := "rest"
	if r.Amount != nil {
		amount = r.Amount.String()
	}
	sum := sha256.Sum256([]byte(amount + "\x00" + r.Reason))
	return hex.EncodeToString(sum[:16])
}

// Errors of refunds.
var (
	ErrNotRefundable = order.ErrNotRefundable
	ErrRefundFailed  = problem.New(problem.Unprocessable, "the payment provider refused the refund; nothing was refunded")
	// ErrRefundPending means the provider did not answer; the refund stays
	// reserved and is retried (by a retry with the same Idempotency-Key, or
	// by the refund retry job).
	ErrRefundPending = problem.New(problem.Unavailable, "the payment provider did not answer; the refund is pending and will be retried")
	// ErrKeyReused is an Idempotency-Key that made another refund.
	ErrKeyReused = problem.New(problem.Unprocessable, "this Idempotency-Key was used for a different refund of this order")
)

// Refund refunds part or all of a paid order, for its merchant or an
// operator (callers check who may). The amount is reserved on the order
// first (concurrent refunds never sum above what was captured), then the
// provider is asked, idempotently by refund id; only the provider's
// "succeeded" makes it refunded, and a refusal gives the amount back. A
// retry with the same Key resumes the same refund, and replays its
// outcome: a refused refund is refused again (ErrRefundFailed), and the
// Key with another amount or reason is ErrKeyReused.
func (s *Service) Refund(ctx context.Context, orderID string, req RefundRequest) (RefundRecord, error) {
	if err := req.Validate(); err != nil {
		return RefundRecord{}, err
	}
	refundID, fp := id.New("rfd"), req.fingerprint()
	if req.Key != "" {
		refundID = id.Derive("rfd", orderID+"/"+req.Key)
	}
	for range 3 {
		if r, ok, err := s.orders.Refund(ctx, orderID, refundID); err != nil {
			return RefundRecord{}, err
		} else if ok {
			return s.resume(ctx, orderID, r, fp)
		}
		now := s.Now().UTC()
		var rec RefundRecord
		o, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
			amount := o.Refundable()
			if req.Amount != nil {
				amount = *req.Amount
			}
			if err := o.ReserveRefund(amount); err != nil {
				return nil, err
			}
			rec = RefundRecord{ID: refundID, OrderID: o.ID, Amount: amount, Status: order.RefundPending, Reason: req.Reason,
				Origin: order.RefundRequested, CreatedAt: now, Fingerprint: fp}
			put, err := s.orders.NewRefund(rec)
			return []types.TransactWriteItem{put}, err
		})
		var ce *orderdb.ConditionError
		if errors.As(err, &ce) {
			continue // the same key raced us to it: resume that one
		}
		if err != nil {
			return RefundRecord{}, err
		}
		return s.submitRefund(ctx, o, rec)
	}
	return RefundRecord{}, ErrBusy
}

// resume answers a repeated refund request from the refund it made.
func (s *Service) resume(ctx context.Context, orderID string, r RefundRecord, fp string) (RefundRecord, error) {
	if r.Fingerprint != "" && r.Fingerprint != fp {
		return RefundRecord{}, ErrKeyReused.With(map[string]any{"refundId": r.ID})
	}
	switch {
	case r.Status == order.RefundPending && !r.Submitted:
		o, err := s.orders.Get(ctx, orderID)
		if err != nil {
			return RefundRecord{}, err
		}
		return s.submitRefund(ctx, o, r)
	case r.Status == order.RefundFailed:
		return r, ErrRefundFailed.With(map[string]any{"refund": r})
	}
	return r, nil
}

// submitRefund asks the provider for a reserved refund (idempotent by its
// id) and records the answer: the provider has it (pending), or it is
// final (succeeded or failed) and settles at once. No answer leaves the
// refund pending for a retry.
func (s *Service) submitRefund(ctx context.Context, o order.Order, rec RefundRecord) (RefundRecord, error) {
	r, err := s.payments.Refund(ctx, payment.RefundRequest{IntentID: o.Payment.ID, OrderID: o.ID, RefundID: rec.ID, Amount: rec.Amount, Reason: rec.Reason})
	if errors.Is(err, payment.ErrUnavailable) {
		logging.From(ctx).Warn("provider did not answer a refund; left pending", "refund_id", rec.ID, "error", err)
		return RefundRecord{}, ErrRefundPending.Wrap(err)
	}
	ctx, cancel := s.afterCommit(ctx)
	defer cancel()
	if err != nil {
		logging.From(ctx).Error("provider refused refund; giving the amount back", "refund_id", rec.ID, "error", err)
		failed, serr := s.settleRefund(ctx, o.ID, rec.ID, order.RefundFailed, "", err.Error())
		if serr != nil {
			logging.From(ctx).Error("give back refund reservation; the retry job will", "refund_id", rec.ID, "error", serr)
		}
		return failed, ErrRefundFailed.Wrap(err).With(map[string]any{"refund": failed})
	}
	if err := s.markSubmitted(ctx, rec, r.ProviderRefundID); err != nil {
		logging.From(ctx).Warn("record provider refund; the retry job will", "refund_id", rec.ID, "error", err)
	}
	s.Metrics.Add("RefundsCreated", 1, metrics.Count, map[string]any{"orderId": o.ID, "currency": rec.Amount.Currency, "amount": rec.Amount.Amount})
	rec.Submitted, rec.ProviderRefundID = true, r.ProviderRefundID
	if st := order.ProviderRefundStatus(r.Status); st == order.RefundSucceeded || st == order.RefundFailed {
		settledRec, err := s.settleRefund(ctx, o.ID, rec.ID, st, r.ProviderRefundID, "")
		if err != nil {
			logging.From(ctx).Warn("settle refund; the provider's event will", "refund_id", rec.ID, "error", err)
			return rec, nil
		}
		if st == order.RefundFailed {
			return settledRec, ErrRefundFailed.With(map[string]any{"refund": settledRec})
		}
		return settledRec, nil
	}
	return rec, nil
}

// markSubmitted records that the provider has the refund, moving it from
// the retry job's index to the awaiting one; the order does not change. A
// refund already final (its event came first) is left as it is.
func (s *Service) markSubmitted(ctx context.Context, rec RefundRecord, providerRefundID string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.orders.Table()), Key: orderdb.Key(rec.OrderID, "REFUND#"+rec.ID),
		UpdateExpression:         aws.String("SET providerRefundId = :p, submitted = :t, gsi2pk = :awaiting"),
		ConditionExpression:      aws.String("#status = :pending"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": dynamo.S(providerRefundID), ":t": &types.AttributeValueMemberBOOL{Value: true},
			":awaiting": dynamo.S(orderdb.RefundsAwaiting), ":pending": dynamo.S(string(order.RefundPending))},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil
	}
	return err
}

// settleRefund moves one refund to status to by the provider's word, with
// the order's amounts (and status: REFUNDED once confirmed refunds reach
// the total) in one update, and emits the money event. News the refund
// state machine does not allow (a stale "pending", a repeat) changes
// nothing. It returns the refund as it stands.
func (s *Service) settleRefund(ctx context.Context, orderID, refundID string, to order.RefundStatus, providerRefundID, failure string) (RefundRecord, error) {
	var (
		rec    RefundRecord
		events []outbox.Event
	)
	_, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		events = nil
		r, ok, err := s.orders.Refund(ctx, orderID, refundID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("refund %s of order %s: %w", refundID, orderID, ErrOrderNotFound)
		}
		rec = r
		if !order.CanRefundTransition(r.Status, to) {
			return nil, orderdb.ErrUnchanged
		}
		from, wasSubmitted := r.Status, r.Submitted
		now := s.Now().UTC()
		if err := o.SettleRefund(&r, to, now); err != nil {
			return nil, err
		}
		r.Submitted = true
		if providerRefundID != "" {
			r.ProviderRefundID = providerRefundID
		}
		if failure != "" {
			r.FailureReason = failure
		}
		rec = r
		put, err := s.orders.ReplaceRefund(r, from, wasSubmitted)
		if err != nil {
			return nil, err
		}
		items := []types.TransactWriteItem{put}
		// Money moved only if it had been refunded (succeeded) or comes back.
		typ := ""
		switch {
		case to == order.RefundSucceeded:
			typ = TypeRefundSucceeded
		case from == order.RefundSucceeded && to == order.RefundFailed:
			typ = TypeRefundFailed
		}
		if typ != "" {
			e, ob, err := s.refundEvent(*o, r, typ, now)
			if err != nil {
				return nil, err
			}
			events = append(events, e)
			items = append(items, ob)
		}
		return items, nil
	})
	if err != nil {
		var ce *orderdb.ConditionError
		if errors.As(err, &ce) {
			// The refund changed under us: read it again and decide again.
			return s.settleRefund(ctx, orderID, refundID, to, providerRefundID, failure)
		}
		return rec, err
	}
	if len(events) > 0 {
		s.publish(ctx, events...)
	}
	logging.From(ctx).Info("refund settled", "refund_id", refundID, "status", rec.Status)
	return rec, nil
}

// refundEvent is the money event of refund r moving to its status, and its
// outbox write; its id derives from the refund and status, so it is
// emitted once.
func (s *Service) refundEvent(o order.Order, r RefundRecord, typ string, now time.Time) (outbox.Event, types.TransactWriteItem, error) {
	e, err := outbox.New(id.Derive("evt", "refund/"+r.ID+"/"+string(r.Status)), typ, 1, now, RefundChanged{
		OrderID: o.ID, RefundID: r.ID, ProviderRefundID: r.ProviderRefundID, Amount: r.Amount, Origin: r.Origin,
		Refunded: o.Refunded, Total: o.Total, Lines: o.Lines, Provider: o.Payment.Provider, IntentID: o.Payment.ID,
	})
	if err != nil {
		return outbox.Event{}, types.TransactWriteItem{}, err
	}
	ob, err := outbox.Item(s.orders.Table(), e)
	return e, ob, err
}

// refundNews records the provider's word on a refund: ours (by the refund
// id we gave it) or one made at the provider (recorded on first news).
func (s *Service) refundNews(ctx context.Context, o order.Order, ev payment.Event) error {
	st := order.ProviderRefundStatus(ev.RefundStatus)
	refundID := ev.RefundID
	if refundID == "" {
		if ev.ProviderRefundID == "" {
			logging.From(ctx).Warn("refund event names no refund; ignored")
			return nil
		}
		refundID = id.Derive("rfd", "provider/"+ev.ProviderRefundID)
		if _, ok, err := s.orders.Refund(ctx, o.ID, refundID); err != nil {
			return err
		} else if !ok {
			return s.providerRefund(ctx, o.ID, refundID, st, ev)
		}
	}
	if st == "" || st == order.RefundPending {
		return nil // no news
	}
	_, err := s.settleRefund(ctx, o.ID, refundID, st, ev.ProviderRefundID, "")
	return err
}

// providerRefund records a refund made outside jiaoyi, so a refunded order
// is never fulfilled and the ledger hears of the money.
func (s *Service) providerRefund(ctx context.Context, orderID, refundID string, st order.RefundStatus, ev payment.Event) error {
	var events []outbox.Event
	_, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		events = nil
		now := s.Now().UTC()
		r := RefundRecord{ID: refundID, OrderID: o.ID, Amount: ev.Amount, Status: st, ProviderRefundID: ev.ProviderRefundID,
			Origin: order.RefundAtProvider, Reason: "refunded at the provider", CreatedAt: now, Submitted: true}
		if err := o.RecordProviderRefund(&r, now); err != nil {
			return nil, err
		}
		put, err := s.orders.NewRefund(r)
		if err != nil {
			return nil, err
		}
		items := []types.TransactWriteItem{put}
		if r.Status == order.RefundSucceeded {
			e, ob, err := s.refundEvent(*o, r, TypeRefundSucceeded, now)
			if err != nil {
				return nil, err
			}
			events = append(events, e)
			items = append(items, ob)
		}
		return items, nil
	})
	var ce *orderdb.ConditionError
	if errors.As(err, &ce) {
		return nil // recorded by a concurrent delivery
	}
	if err != nil {
		return err
	}
	logging.From(ctx).Warn("refund made at the provider recorded", "refund_id", refundID, "provider_refund_id", ev.ProviderRefundID, "amount", ev.Amount.String())
	s.publish(ctx, events...)
	return nil
}

// RetryRefunds submits again the refunds recorded more than olderThan ago
// that the provider never received (an outage, a crash), at most limit.
// The provider dedupes by refund id, so a refund it did take is not taken
// twice. It returns how many it settled (submitted or refused).
func (s *Service) RetryRefunds(ctx context.Context, olderThan time.Duration, limit int) (int, error) {
	due, err := s.orders.PendingRefunds(ctx, s.Now().UTC().Add(-olderThan).Format(dynamo.TimeLayout), limit)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, r := range due {
		o, err := s.orders.Get(ctx, r.OrderID)
		if err != nil {
			return done, err
		}
		if _, err := s.submitRefund(ctx, o, r); errors.Is(err, ErrRefundPending) {
			continue
		}
		done++
	}
	return done, nil
}

// AwaitingOverAnHour counts refunds the provider has held for more than an
// hour without confirming or refusing (at most limit): alarmed on.
func (s *Service) AwaitingOverAnHour(ctx context.Context, limit int) (int, error) {
	return s.orders.AwaitingRefunds(ctx, s.Now().UTC().Add(-time.Hour).Format(dynamo.TimeLayout), limit)
}

// Refunds returns an order's refunds.
func (s *Service) Refunds(ctx context.Context, orderID string) ([]RefundRecord, error) {
	o, err := s.orders.GetWithRefunds(ctx, orderID)
	if err != nil {
		return nil, err
	}
	return o.Refunds, nil
}
