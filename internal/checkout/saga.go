package checkout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
)

// Reservation status once the order is paid.
const ReservationConsumed = "CONSUMED"

// OrderPaid is the domain event emitted, through the outbox, when an order
// is paid. Consumers dedupe by EventID.
type OrderPaid struct {
	EventID    string       `json:"eventId"`
	Type       string       `json:"type"`
	OrderID    string       `json:"orderId"`
	CustomerID string       `json:"customerId"`
	Total      money.Money  `json:"total"`
	Lines      []order.Line `json:"lines"`
	PaidAt     time.Time    `json:"paidAt"`
	Provider   string       `json:"provider"`
	IntentID   string       `json:"intentId"`
}

type outboxItem struct {
	PK      string `dynamodbav:"pk"`
	SK      string `dynamodbav:"sk"`
	GSI2PK  string `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK  string `dynamodbav:"gsi2sk,omitempty"`
	EventID string `dynamodbav:"eventId"`
	Type    string `dynamodbav:"type"`
	Status  string `dynamodbav:"status"`
	Payload string `dynamodbav:"payload"`
}

const outboxPending = "OUTBOX#PENDING"

// ApplyPayment applies a provider's event to its order, following the saga:
// succeeded → PAID (and OrderPaid through the outbox); failed or canceled →
// PAYMENT_FAILED → stock and slot released → CANCELLED; a success for an
// order already EXPIRED or CANCELLED → refunded at the provider → REFUNDED.
// Every change is conditional on status and version, so duplicates and
// stale or out-of-order events never move an order backwards; where an
// event alone cannot tell, the provider's current state decides.
//
// Returns ErrOrderNotFound for an order not (yet) stored, so the caller
// retries later, and other errors that are worth a retry.
func (s *Service) ApplyPayment(ctx context.Context, ev payment.Event) error {
	log := logging.From(ctx).With("order_id", ev.OrderID, "event_id", ev.ID, "event", ev.Type)
	ctx = logging.With(ctx, log)
	o, err := s.load(ctx, ev.OrderID)
	if err != nil {
		return err
	}
	if o.Payment.ID != ev.IntentID {
		log.Warn("event for another intent of the order; ignored", "intent_id", ev.IntentID)
		return nil
	}
	switch ev.Type {
	case payment.EventSucceeded:
		return s.succeeded(ctx, o)
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
			return s.succeeded(ctx, o)
		}
		reason := "payment failed"
		if ev.Type == payment.EventCanceled {
			reason = "payment canceled at the provider"
		}
		_, err = s.release(ctx, o.ID, order.PaymentFailed, order.Cancelled, reason)
		if errors.Is(err, ErrPaymentCaptured) {
			return s.succeeded(ctx, o) // paid in the meantime
		}
		return settled(ctx, o.ID, err)
	case payment.EventRefund:
		return s.refundUpdated(ctx, o, ev)
	}
	log.Warn("unknown event type; ignored")
	return nil
}

// succeeded records a captured payment: PAID for a pending order, a refund
// for one that was released, nothing for one already paid or refunded.
func (s *Service) succeeded(ctx context.Context, o order.Order) error {
	for range 5 {
		var err error
		switch o.Status {
		case order.PendingPayment:
			err = s.markPaid(ctx, o)
		case order.Expired, order.Cancelled:
			err = s.refundLatePayment(ctx, o)
		case order.PaymentFailed:
			// Never a resting state (release passes through it in one write).
			return fmt.Errorf("order %s rests in %s", o.ID, o.Status)
		default: // PAID, REFUNDED: a duplicate
			logging.From(ctx).Info("payment already applied", "status", o.Status)
			return nil
		}
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			return err
		}
		// The order changed under us (expired, cancelled, paid by a
		// duplicate): read it again and decide again.
		if o, err = s.load(ctx, o.ID); err != nil {
			return err
		}
	}
	return ErrBusy
}

func (s *Service) markPaid(ctx context.Context, o order.Order) error {
	now := s.Now().UTC()
	ev := OrderPaid{
		EventID: "evt_orderpaid_" + o.ID, Type: "OrderPaid", OrderID: o.ID, CustomerID: o.CustomerID,
		Total: o.Total, Lines: o.Lines, PaidAt: now, Provider: o.Payment.Provider, IntentID: o.Payment.ID,
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	ob := outboxItem{
		PK: "OUTBOX#" + ev.EventID, SK: "OUTBOX", GSI2PK: outboxPending, GSI2SK: now.Format(timeLayout) + "#" + ev.EventID,
		EventID: ev.EventID, Type: ev.Type, Status: "PENDING", Payload: string(payload),
	}
	obItem, err := attributevalue.MarshalMap(ob)
	if err != nil {
		return err
	}
	orderUpdate, err := s.orderTransition(o, []order.Status{order.Paid}, "payment succeeded", now,
		expression.Set(expression.Name("payment.status"), expression.Value(payment.Succeeded)))
	if err != nil {
		return err
	}
	consume, err := update(s.ordersTable, orderKey(o.ID, skReservation),
		expression.Set(nameStatus, expression.Value(ReservationConsumed)).Remove(expression.Name("gsi2pk")).Remove(expression.Name("gsi2sk")),
		nameStatus.Equal(expression.Value(ReservationHeld)), false)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{orderUpdate, consume,
		{Put: &types.Put{TableName: &s.ordersTable, Item: obItem, ConditionExpression: aws.String("attribute_not_exists(pk)")}}}
	if err := s.transact(ctx, items); err != nil {
		return err
	}
	logging.From(ctx).Info("order paid", "total", o.Total.String())
	s.Metrics.Add("OrdersPaid", 1, metrics.Count, map[string]any{"orderId": o.ID, "currency": o.Total.Currency, "amount": o.Total.Amount})
	// Send now; if this fails or we crash first, the relay sends it later.
	if err := s.relay(ctx, ob); err != nil {
		logging.From(ctx).Warn("relay OrderPaid; the outbox relay will retry", "error", err)
	}
	return nil
}

// refundLatePayment returns a payment that arrived after the order was
// released: the full amount, at the provider first (idempotent by refund
// id), then the order becomes REFUNDED.
func (s *Service) refundLatePayment(ctx context.Context, o order.Order) error {
	refundID := id.Derive("rfd", "late/"+o.Payment.ID)
	r, err := s.payments.Refund(ctx, payment.RefundRequest{IntentID: o.Payment.ID, RefundID: refundID, Amount: o.Total, Reason: "order " + string(o.Status)})
	if err != nil {
		return fmt.Errorf("refund late payment: %w", err)
	}
	now := s.Now().UTC()
	rec := RefundRecord{ID: refundID, OrderID: o.ID, Amount: o.Total, Status: refundStatus(r.Status), ProviderRefundID: r.ProviderRefundID,
		Reason: "payment after the order was " + string(o.Status), CreatedAt: now, Submitted: true}
	put, err := s.refundPut(rec)
	if err != nil {
		return err
	}
	orderUpdate, err := s.orderTransition(o, []order.Status{order.Refunded}, "payment arrived after the order was "+string(o.Status)+"; refunded", now,
		expression.Set(expression.Name("payment.status"), expression.Value(payment.Succeeded)).Set(expression.Name("refunded"), expression.Value(o.Total)))
	if err != nil {
		return err
	}
	if err := s.transact(ctx, []types.TransactWriteItem{orderUpdate, put}); err != nil {
		return err
	}
	logging.From(ctx).Info("late payment refunded", "refund_id", refundID, "amount", o.Total.String())
	s.Metrics.Add("LatePaymentsRefunded", 1, metrics.Count, map[string]any{"orderId": o.ID, "currency": o.Total.Currency, "amount": o.Total.Amount})
	return nil
}

// RelayOutbox sends outbox events that were not sent right after their
// commit (a crash, an SQS outage), at most limit. Safe to run alongside
// the immediate sends: consumers dedupe by event id.
func (s *Service) RelayOutbox(ctx context.Context, limit int) (int, error) {
	items, err := s.due(ctx, outboxPending, "", limit)
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	sent := 0
	for _, it := range items {
		var ob outboxItem
		if err := attributevalue.UnmarshalMap(it, &ob); err != nil {
			return sent, err
		}
		if err := s.relay(ctx, ob); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// relay sends one outbox event and marks it sent.
func (s *Service) relay(ctx context.Context, ob outboxItem) error {
	if s.orderEventsQueueURL == "" {
		return errors.New("outbox: JIAOYI_QUEUE_ORDER_EVENTS is not set")
	}
	_, err := s.queue.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: &s.orderEventsQueueURL, MessageBody: aws.String(ob.Payload),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			"eventId": {DataType: aws.String("String"), StringValue: aws.String(ob.EventID)},
			"type":    {DataType: aws.String("String"), StringValue: aws.String(ob.Type)},
		},
	})
	if err != nil {
		return fmt.Errorf("outbox: send %s: %w", ob.EventID, err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.ordersTable, Key: map[string]types.AttributeValue{"pk": str(ob.PK), "sk": str(ob.SK)},
		UpdateExpression:          aws.String("SET #status = :sent REMOVE gsi2pk, gsi2sk"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":sent": str("SENT")},
	})
	if err != nil {
		return fmt.Errorf("outbox: mark %s sent: %w", ob.EventID, err)
	}
	return nil
}
