package checkout

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
)

// ApplyPayment applies a provider's event to its order, following the saga:
// succeeded → PAID (and OrderPaid through the outbox), or PAYMENT_REVIEW
// if what was captured is not what the order asks; a declined payment the
// shopper may retry changes nothing; a final failure → PAYMENT_FAILED →
// stock and slot released → CANCELLED; a success for an order already
// EXPIRED or CANCELLED → the refund is recorded, then asked → REFUNDED
// once the provider confirms it; refund events settle refunds (ours, or
// ones made at the provider); disputes are passed on to the ledger. Every
// change is conditional on status and version, so duplicates and stale or
// out-of-order events never move an order backwards; where an event alone
// cannot tell, the provider's current state decides.
//
// Returns ErrOrderNotFound for an order not (yet) stored, so the caller
// retries later, and other errors that are worth a retry.
func (s *Service) ApplyPayment(ctx context.Context, ev payment.Event) error {
	if ev.OrderID == "" {
		// A refund made at the provider names only its intent: the intent
		// says its order.
		in, err := s.payments.GetIntent(ctx, ev.IntentID)
		if errors.Is(err, payment.ErrIntentNotFound) || (err == nil && in.OrderID == "") {
			logging.From(ctx).Info("event for an intent jiaoyi did not create; ignored", "intent_id", ev.IntentID, "event_id", ev.ID)
			return nil
		}
		if err != nil {
			return fmt.Errorf("find the order of intent %s: %w", ev.IntentID, err)
		}
		ev.OrderID = in.OrderID
	}
	log := logging.From(ctx).With("order_id", ev.OrderID, "event_id", ev.ID, "event", ev.Type)
	ctx = logging.With(ctx, log)
	o, err := s.orders.Get(ctx, ev.OrderID)
	if err != nil {
		return err
	}
	if o.Payment.ID != ev.IntentID {
		log.Warn("event for another intent of the order; ignored", "intent_id", ev.IntentID)
		return nil
	}
	switch ev.Type {
	case payment.EventSucceeded:
		return s.succeeded(ctx, o.ID, ev)
	case payment.EventFailed, payment.EventCanceled:
		if o.Status != order.PendingPayment {
			log.Info("failure for an order that moved on; ignored", "status", o.Status)
			return nil
		}
		// A failure may be stale: the shopper can retry and pay. Ask.
		in, err := s.payments.GetIntent(ctx, o.Payment.ID)
		if err != nil {
			return fmt.Errorf("re-read intent: %w", err)
		}
		if in.Status == payment.Succeeded {
			return s.succeeded(ctx, o.ID, captured(in))
		}
		if ev.Type == payment.EventFailed {
			s.paymentFailed(ctx, o.CustomerID)
		}
		if ev.Type == payment.EventFailed && ev.Retryable {
			log.Info("payment declined; the shopper may retry until the hold ends", "decline_code", ev.DeclineCode)
			s.Metrics.Add("PaymentsDeclined", 1, metrics.Count, map[string]any{"orderId": o.ID, "declineCode": ev.DeclineCode})
			return nil
		}
		reason := "payment failed"
		if ev.Type == payment.EventCanceled {
			reason = "payment canceled at the provider"
		}
		_, err = s.release(ctx, o.ID, order.PaymentFailed, order.Cancelled, reason)
		return settled(ctx, o.ID, err)
	case payment.EventRefund:
		return s.refundNews(ctx, o, ev)
	case payment.EventDisputeOpened, payment.EventDisputeClosed:
		return s.dispute(ctx, o, ev)
	}
	log.Warn("unknown event type; ignored")
	return nil
}

// captured is the success event the provider's intent stands for.
func captured(in payment.Intent) payment.Event {
	return payment.Event{Provider: in.Provider, Type: payment.EventSucceeded, IntentID: in.ID, OrderID: in.OrderID, Amount: in.Amount}
}

// succeeded records a captured payment: PAID for a pending order whose
// capture matches it (PAYMENT_REVIEW if not), an owed refund for one that
// was released, nothing for one already paid. An empty event means "the
// provider says it is captured": the intent is read for the amount.
func (s *Service) succeeded(ctx context.Context, orderID string, ev payment.Event) error {
	if ev.Type == "" {
		o, err := s.orders.Get(ctx, orderID)
		if err != nil {
			return err
		}
		in, err := s.payments.GetIntent(ctx, o.Payment.ID)
		if err != nil {
			return fmt.Errorf("re-read intent: %w", err)
		}
		ev = captured(in)
	}
	var (
		events []outbox.Event
		owed   *order.Refund
		review bool
	)
	o, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		events, owed, review = nil, nil, false
		now := s.Now().UTC()
		switch o.Status {
		case order.PendingPayment:
			o.Payment.Status = payment.Succeeded
			if mismatch := captureMismatch(*o, ev); mismatch != "" {
				review = true
				if err := o.Transition(order.PaymentReview, now, "captured payment does not match the order: "+mismatch); err != nil {
					return nil, err
				}
				return s.releaseItems(ctx, *o, orderdb.ReservationConsumed)
			}
			// Risk control's review holds a flagged order once paid; the
			// money moved all the same, so the ledger hears of it now (and
			// of the refund, if it is rejected).
			to, reason := order.Paid, "payment succeeded"
			if o.HeldForReview() {
				to, reason = order.PendingReview, "payment succeeded; the order is being reviewed"
			}
			if err := o.Transition(to, now, reason); err != nil {
				return nil, err
			}
			e, err := outbox.New("evt_orderpaid_"+o.ID, TypeOrderPaid, 1, now, OrderPaid{
				OrderID: o.ID, CustomerID: o.CustomerID, Total: o.Total, Lines: o.Lines, PaidAt: now,
				Provider: o.Payment.Provider, IntentID: o.Payment.ID,
			})
			if err != nil {
				return nil, err
			}
			events = []outbox.Event{e}
			items, err := s.releaseItems(ctx, *o, orderdb.ReservationConsumed)
			if err != nil {
				return nil, err
			}
			if o.Booking != nil {
				// The booking's check-in code, and its place in the no-show
				// sweep once its slot ends.
				code, err := order.NewCode()
				if err != nil {
					return nil, err
				}
				o.IssueCheckIn(code, now)
				ptr := orderdb.CheckInKey(o.Booking.StoreID, o.Booking.CheckIn.Code)
				ptr["orderId"] = dynamo.S(o.ID)
				items = append(items, dynamo.PutNew(s.orders.Table(), ptr),
					types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.orders.Table()), Item: orderdb.DueItem(orderdb.NoShowPartition, o.ID, o.Booking.End)}})
			}
			ob, err := outbox.Item(s.orders.Table(), e)
			return append(items, ob), err
		case order.Expired, order.Cancelled:
			if o.Payment.Status == payment.Succeeded {
				return nil, orderdb.ErrUnchanged // the owed refund is recorded
			}
			// Record the owed refund first, durably; then ask the provider.
			o.Payment.Status = payment.Succeeded
			if err := o.ReserveOwedRefund(); err != nil {
				return nil, err
			}
			r := order.Refund{ID: id.Derive("rfd", "late/"+o.Payment.ID), OrderID: o.ID, Amount: o.Total, Status: order.RefundPending,
				Origin: order.RefundLatePayment, Reason: "payment after the order was " + string(o.Status), CreatedAt: now}
			owed = &r
			put, err := s.orders.NewRefund(r)
			return []types.TransactWriteItem{put}, err
		case order.PaymentFailed:
			// Never a resting state (release passes through it in one write).
			return nil, fmt.Errorf("order %s rests in %s", o.ID, o.Status)
		}
		logging.From(ctx).Info("payment already applied", "status", o.Status)
		return nil, orderdb.ErrUnchanged
	})
	if err != nil {
		return err
	}
	ctx, cancel := s.afterCommit(ctx)
	defer cancel()
	switch {
	case review:
		logging.From(ctx).Error("captured payment does not match the order; parked for review", "order_id", o.ID,
			"captured", ev.Amount.String(), "total", o.Total.String(), "provider", ev.Provider)
		s.Metrics.Add("PaymentsMismatched", 1, metrics.Count, map[string]any{"orderId": o.ID})
	case owed != nil:
		logging.From(ctx).Info("payment after the order ended; refund recorded", "refund_id", owed.ID, "amount", owed.Amount.String())
		s.Metrics.Add("LatePaymentsRefunded", 1, metrics.Count, map[string]any{"orderId": o.ID, "currency": o.Total.Currency, "amount": o.Total.Amount})
		if _, err := s.submitRefund(ctx, o, *owed); err != nil && !errors.Is(err, ErrRefundFailed) {
			logging.From(ctx).Warn("submit owed refund; the retry job will", "refund_id", owed.ID, "error", err)
		}
	case len(events) > 0 && o.Status == order.PendingReview:
		logging.From(ctx).Info("order paid and held for risk review", "total", o.Total.String())
		s.Metrics.Add("OrdersHeldForReview", 1, metrics.Count, map[string]any{"orderId": o.ID})
		s.publish(ctx, events...)
	case len(events) > 0:
		logging.From(ctx).Info("order paid", "total", o.Total.String())
		s.Metrics.Add("OrdersPaid", 1, metrics.Count, map[string]any{"orderId": o.ID, "currency": o.Total.Currency, "amount": o.Total.Amount})
		s.publish(ctx, events...)
	}
	return nil
}

// captureMismatch says how a captured payment differs from the order
// ("" if it matches): its provider, intent, amount or currency.
func captureMismatch(o order.Order, ev payment.Event) string {
	switch {
	case ev.Provider != "" && ev.Provider != o.Payment.Provider:
		return "provider " + ev.Provider + ", the order's is " + o.Payment.Provider
	case ev.IntentID != o.Payment.ID:
		return "intent " + ev.IntentID
	case ev.Amount.Currency != o.Total.Currency:
		return "currency " + ev.Amount.Currency + ", the order's is " + o.Total.Currency
	case ev.Amount.Amount != o.Total.Amount:
		return fmt.Sprintf("amount %s, the order's is %s", ev.Amount, o.Total)
	}
	return ""
}

// dispute passes a chargeback on to the ledger through the outbox; the
// order itself does not change.
func (s *Service) dispute(ctx context.Context, o order.Order, ev payment.Event) error {
	typ := TypeDisputeOpened
	if ev.Type == payment.EventDisputeClosed {
		typ = TypeDisputeClosed
	}
	e, err := outbox.New(id.Derive("evt", "dispute/"+ev.DisputeID+"/"+string(ev.Type)+"/"+ev.DisputeStatus), typ, 1, ev.Created,
		Dispute{OrderID: o.ID, DisputeID: ev.DisputeID, Status: ev.DisputeStatus, Amount: ev.Amount, Total: o.Total, Lines: o.Lines})
	if err != nil {
		return err
	}
	return s.record(ctx, e)
}

// record stores an event that changes no order in the outbox (once: a
// repeat finds it there) and publishes it.
func (s *Service) record(ctx context.Context, e outbox.Event) error {
	item, err := outbox.Item(s.orders.Table(), e)
	if err != nil {
		return err
	}
	err = dynamo.Transact(ctx, s.db, []types.TransactWriteItem{item})
	if _, dup := dynamo.Failed(err); dup {
		return nil
	}
	if err != nil {
		return err
	}
	s.publish(ctx, e)
	return nil
}
