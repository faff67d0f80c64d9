package checkout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Refund statuses: PENDING while the provider has not confirmed it, then
// what the provider's refund events say.
const (
	RefundPending   = "PENDING"
	RefundSucceeded = "SUCCEEDED"
	RefundFailed    = "FAILED"
)

// RefundRecord is a refund of an order, stored beside it.
type RefundRecord = order.Refund

// RefundRequest is the body of POST /orders/{id}/refunds.
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

func refundStatus(provider string) string {
	switch strings.ToLower(provider) {
	case "succeeded":
		return RefundSucceeded
	case "failed", "canceled":
		return RefundFailed
	}
	return RefundPending
}

type refundItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI2PK string `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK string `dynamodbav:"gsi2sk,omitempty"`
	RefundRecord
}

func (s *Service) refundPut(r RefundRecord) (types.TransactWriteItem, error) {
	it := refundItem{PK: "ORDER#" + r.OrderID, SK: "REFUND#" + r.ID, RefundRecord: r}
	if r.Status == RefundPending && !r.Submitted {
		it.GSI2PK, it.GSI2SK = refundsPending, r.CreatedAt.UTC().Format(timeLayout)+"#"+r.ID
	}
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: &s.ordersTable, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}}, nil
}

// Errors of refunds.
var (
	ErrNotRefundable = problem.New(problem.Conflict, "only a paid order can be refunded")
	ErrRefundFailed  = problem.New(problem.Unprocessable, "the payment provider refused the refund; nothing was refunded")
)

// Refund refunds part or all of customerID's paid order. The amount is
// reserved on the order first (a conditional write on its version, so
// concurrent refunds can never sum above what was captured), then the
// provider is asked (idempotent by refund id); if it refuses, the
// reservation is given back. A full refund makes the order REFUNDED.
func (s *Service) Refund(ctx context.Context, customerID, orderID string, req RefundRequest) (RefundRecord, error) {
	if err := req.Validate(); err != nil {
		return RefundRecord{}, err
	}
	// A retried request (same key) finds its refund and resumes it, so a
	// timeout between us and the provider can never refund twice.
	refundID := id.New("rfd")
	if req.Key != "" {
		refundID = id.Derive("rfd", customerID+"/"+orderID+"/"+req.Key)
	}
	for range 5 {
		o, err := s.Order(ctx, customerID, orderID)
		if err != nil {
			return RefundRecord{}, err
		}
		for _, r := range o.Refunds {
			if r.ID == refundID {
				if r.Status == RefundPending && !r.Submitted {
					return s.submitRefund(ctx, o, r)
				}
				return r, nil
			}
		}
		if o.Status != order.Paid {
			return RefundRecord{}, ErrNotRefundable.With(map[string]any{"status": o.Status})
		}
		left := o.Total.Amount - o.Refunded.Amount
		amount := money.Money{Amount: left, Currency: o.Total.Currency}
		if req.Amount != nil {
			if req.Amount.Currency != o.Total.Currency {
				return RefundRecord{}, &problem.Error{Code: problem.Unprocessable, Field: "amount.currency", Message: "the order was paid in " + o.Total.Currency}
			}
			if req.Amount.Amount > left {
				return RefundRecord{}, (&problem.Error{Code: problem.Unprocessable, Field: "amount.amount",
					Message: fmt.Sprintf("at most %s is left to refund", money.Money{Amount: left, Currency: o.Total.Currency})}).
					With(map[string]any{"refundable": money.Money{Amount: left, Currency: o.Total.Currency}})
			}
			amount = *req.Amount
		}
		now := s.Now().UTC()
		rec := RefundRecord{ID: refundID, OrderID: o.ID, Amount: amount, Status: RefundPending, Reason: req.Reason, CreatedAt: now}
		err = s.reserveRefund(ctx, o, rec, now)
		var tce *types.TransactionCanceledException
		if errors.As(err, &tce) {
			continue // another refund or event changed the order: look again
		}
		if err != nil {
			return RefundRecord{}, err
		}
		return s.submitRefund(ctx, o, rec)
	}
	return RefundRecord{}, ErrBusy
}

// ErrRefundPending means the provider did not answer; the refund stays
// reserved and is retried (by a retry with the same Idempotency-Key, or by
// the refund retry job).
var ErrRefundPending = problem.New(problem.Unavailable, "the payment provider did not answer; the refund is pending and will be retried")

// submitRefund asks the provider for a reserved refund (idempotent by its
// id) and records the answer. A refusal gives the amount back; no answer
// leaves the refund pending for a retry.
func (s *Service) submitRefund(ctx context.Context, o order.Order, rec RefundRecord) (RefundRecord, error) {
	r, err := s.payments.Refund(ctx, payment.RefundRequest{IntentID: o.Payment.ID, RefundID: rec.ID, Amount: rec.Amount, Reason: rec.Reason})
	if errors.Is(err, payment.ErrUnavailable) {
		logging.From(ctx).Warn("provider did not answer a refund; left pending", "refund_id", rec.ID, "error", err)
		return RefundRecord{}, ErrRefundPending.Wrap(err)
	}
	if err != nil {
		logging.From(ctx).Error("provider refused refund; giving the amount back", "refund_id", rec.ID, "error", err)
		if uerr := s.unreserveRefund(context.WithoutCancel(ctx), o.ID, rec); uerr != nil {
			logging.From(ctx).Error("give back refund reservation", "refund_id", rec.ID, "error", uerr)
		}
		return RefundRecord{}, ErrRefundFailed.Wrap(err)
	}
	rec.ProviderRefundID, rec.Status, rec.Submitted = r.ProviderRefundID, refundStatus(r.Status), true
	key := orderKey(o.ID, "REFUND#"+rec.ID)
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.ordersTable, Key: key,
		UpdateExpression:          aws.String("SET providerRefundId = :p, submitted = :t, #status = :s REMOVE gsi2pk, gsi2sk"),
		ConditionExpression:       aws.String("#status = :pending"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": str(rec.ProviderRefundID), ":s": str(rec.Status), ":pending": str(RefundPending), ":t": &types.AttributeValueMemberBOOL{Value: true}},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		// A refund event set the status first: keep it, record the rest.
		_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &s.ordersTable, Key: key,
			UpdateExpression:          aws.String("SET providerRefundId = :p, submitted = :t REMOVE gsi2pk, gsi2sk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": str(rec.ProviderRefundID), ":t": &types.AttributeValueMemberBOOL{Value: true}},
		})
	}
	if err != nil {
		logging.From(ctx).Warn("record provider refund; the retry job will record it", "refund_id", rec.ID, "error", err)
	}
	s.Metrics.Add("RefundsCreated", 1, metrics.Count, map[string]any{"orderId": o.ID, "currency": rec.Amount.Currency, "amount": rec.Amount.Amount})
	if err := s.completeRefund(ctx, o.ID, rec.ID); err != nil {
		logging.From(ctx).Warn("mark order refunded", "refund_id", rec.ID, "error", err)
	}
	return rec, nil
}

// refundsPending indexes reserved refunds the provider has not answered.
const refundsPending = "REFUNDS#PENDING"

// RetryRefunds submits again the refunds reserved more than olderThan ago
// that the provider never answered (an outage, a crash), at most limit.
// The provider dedupes by refund id, so a refund it did take is not taken
// twice. It returns how many it settled (submitted or refused).
func (s *Service) RetryRefunds(ctx context.Context, olderThan time.Duration, limit int) (int, error) {
	before := s.Now().UTC().Add(-olderThan).Format(timeLayout)
	items, err := s.due(ctx, refundsPending, before, limit)
	if err != nil {
		return 0, fmt.Errorf("pending refunds: %w", err)
	}
	settled := 0
	for _, it := range items {
		var r refundItem
		if err := attributevalue.UnmarshalMap(it, &r); err != nil {
			return settled, err
		}
		o, err := s.load(ctx, r.OrderID)
		if err != nil {
			return settled, err
		}
		if _, err := s.submitRefund(ctx, o, r.RefundRecord); errors.Is(err, ErrRefundPending) {
			continue
		}
		settled++
	}
	return settled, nil
}

// reserveRefund adds rec's amount to the order's refunded sum, on the
// order's version, with the refund record; the status stays PAID until the
// provider has accepted it.
func (s *Service) reserveRefund(ctx context.Context, o order.Order, rec RefundRecord, now time.Time) error {
	put, err := s.refundPut(rec)
	if err != nil {
		return err
	}
	upd, err := s.refundedUpdate(o, o.Refunded.Amount+rec.Amount.Amount, now)
	if err != nil {
		return err
	}
	return s.transact(ctx, []types.TransactWriteItem{upd, put})
}

func (s *Service) refundedUpdate(o order.Order, refunded int64, now time.Time) (types.TransactWriteItem, error) {
	return update(s.ordersTable, orderKey(o.ID, skOrder),
		expression.Set(expression.Name("refunded"), expression.Value(money.Money{Amount: refunded, Currency: o.Total.Currency})).
			Set(nameVersion, nameVersion.Plus(expression.Value(1))).
			Set(expression.Name("updatedAt"), expression.Value(now)),
		nameStatus.Equal(expression.Value(o.Status)).And(nameVersion.Equal(expression.Value(o.Version))), false)
}

// unreserveRefund gives back a refund the provider refused.
func (s *Service) unreserveRefund(ctx context.Context, orderID string, rec RefundRecord) error {
	for range 5 {
		o, err := s.load(ctx, orderID)
		if err != nil {
			return err
		}
		orderUpdate, err := s.refundedUpdate(o, o.Refunded.Amount-rec.Amount.Amount, s.Now().UTC())
		if err != nil {
			return err
		}
		refundUpdate, err := update(s.ordersTable, orderKey(o.ID, "REFUND#"+rec.ID),
			expression.Set(nameStatus, expression.Value(RefundFailed)).Remove(expression.Name("gsi2pk")).Remove(expression.Name("gsi2sk")),
			nameStatus.Equal(expression.Value(RefundPending)), false)
		if err != nil {
			return err
		}
		err = s.transact(ctx, []types.TransactWriteItem{orderUpdate, refundUpdate})
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			return err
		}
	}
	return ErrBusy
}

// completeRefund makes a fully refunded PAID order REFUNDED.
func (s *Service) completeRefund(ctx context.Context, orderID, refundID string) error {
	for range 5 {
		o, err := s.load(ctx, orderID)
		if err != nil {
			return err
		}
		if o.Status != order.Paid || o.Refunded.Amount < o.Total.Amount {
			return nil
		}
		upd, err := s.orderTransition(o, []order.Status{order.Refunded}, "refunded in full ("+refundID+")", s.Now().UTC(), expression.UpdateBuilder{})
		if err != nil {
			return err
		}
		err = s.transact(ctx, []types.TransactWriteItem{upd})
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			return err
		}
	}
	return ErrBusy
}

// refundUpdated records the provider's word on one of our refunds.
func (s *Service) refundUpdated(ctx context.Context, o order.Order, ev payment.Event) error {
	if ev.RefundID == "" {
		logging.From(ctx).Warn("refund made outside jiaoyi; not recorded", "intent_id", ev.IntentID)
		return nil
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.ordersTable, Key: orderKey(o.ID, "REFUND#"+ev.RefundID),
		UpdateExpression:          aws.String("SET #status = :s"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": str(refundStatus(ev.RefundStatus))},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		// Not recorded yet (the refund is being written): retry later.
		return fmt.Errorf("refund %s of order %s: %w", ev.RefundID, o.ID, ErrOrderNotFound)
	}
	return err
}

// Refunds returns an order's refunds.
func (s *Service) Refunds(ctx context.Context, orderID string) ([]RefundRecord, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.ordersTable,
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :r)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("ORDER#" + orderID), ":r": str("REFUND#")},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("refunds of %s: %w", orderID, err)
	}
	var rs []RefundRecord
	for _, it := range out.Items {
		var r refundItem
		if err := attributevalue.UnmarshalMap(it, &r); err != nil {
			return nil, err
		}
		rs = append(rs, r.RefundRecord)
	}
	return rs, nil
}
