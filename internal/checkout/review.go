package checkout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// ReviewDecision is an operator's word on an order held for risk review.
type ReviewDecision struct {
	// By is the operator (their token's subject).
	By   string `json:"-"`
	Note string `json:"note,omitempty"`
}

// Validate checks the decision's shape.
func (d ReviewDecision) Validate() error {
	if len(d.Note) > 500 || strings.ContainsRune(d.Note, 0) {
		return problem.Field("note", "note must be at most 500 characters")
	}
	return nil
}

// ErrNotInReview is an order that is not awaiting risk review (or was
// decided the other way).
var ErrNotInReview = problem.New(problem.Conflict, "the order is not awaiting risk review")

// Approve releases an order held for risk review to fulfilment: PAID.
// Approving an approved order returns it unchanged. Returns
// ErrOrderNotFound, or ErrNotInReview (with the status) for any other
// order, a rejected one included.
func (s *Service) Approve(ctx context.Context, orderID string, d ReviewDecision) (order.Order, error) {
	o, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		if o.Risk != nil && o.Risk.Outcome == order.ReviewApproved {
			return nil, orderdb.ErrUnchanged
		}
		if o.Status != order.PendingReview {
			return nil, notInReview(*o)
		}
		now := s.Now().UTC()
		if err := o.Transition(order.Paid, now, "review completed"); err != nil {
			return nil, err
		}
		o.Risk.Outcome, o.Risk.ReviewedBy, o.Risk.ReviewedAt, o.Risk.Note = order.ReviewApproved, d.By, now, d.Note
		return nil, nil
	})
	if err != nil {
		return o, err
	}
	logging.From(ctx).Info("risk review approved", "order_id", o.ID, "by", d.By)
	s.Metrics.Add("ReviewsApproved", 1, metrics.Count, map[string]any{"orderId": o.ID})
	return o, nil
}

// Reject cancels an order held for risk review and refunds its payment in
// full through the refund path every refund takes (recorded with the
// cancellation in one write, then asked of the provider by its id), and
// gives its stock and slot back. However often it is called, and whatever
// races it, the order is cancelled and refunded once: a repeat returns the
// order (resuming a refund the provider never got). Returns
// ErrOrderNotFound, or ErrNotInReview for an order not held for review (an
// approved one included).
func (s *Service) Reject(ctx context.Context, orderID string, d ReviewDecision) (order.Order, error) {
	var rec *RefundRecord
	o, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		rec = nil
		if o.Risk != nil && o.Risk.Outcome == order.ReviewRejected {
			return nil, orderdb.ErrUnchanged
		}
		if o.Status != order.PendingReview {
			return nil, notInReview(*o)
		}
		now := s.Now().UTC()
		if err := o.Transition(order.Cancelled, now, "cancelled after review; the payment is refunded"); err != nil {
			return nil, err
		}
		o.Risk.Outcome, o.Risk.ReviewedBy, o.Risk.ReviewedAt, o.Risk.Note = order.ReviewRejected, d.By, now, d.Note
		if err := o.ReserveOwedRefund(); err != nil {
			return nil, err
		}
		r := RefundRecord{ID: reviewRefundID(o.ID), OrderID: o.ID, Amount: o.Total, Status: order.RefundPending,
			Origin: order.RefundRiskRejected, Reason: "rejected in risk review", CreatedAt: now}
		rec = &r
		put, err := s.orders.NewRefund(r)
		if err != nil {
			return nil, err
		}
		restock, err := s.restockItems(ctx, *o)
		if err != nil {
			return nil, err
		}
		return append([]types.TransactWriteItem{put}, restock...), nil
	})
	if err != nil {
		return o, err
	}
	ctx, cancel := s.afterCommit(ctx)
	defer cancel()
	if rec == nil {
		// Rejected before: make sure the provider has the refund.
		r, ok, err := s.orders.Refund(ctx, o.ID, reviewRefundID(o.ID))
		if err == nil && ok && r.Status == order.RefundPending && !r.Submitted {
			rec = &r
		}
	} else {
		logging.From(ctx).Info("risk review rejected; refunding", "order_id", o.ID, "by", d.By, "refund_id", rec.ID)
		s.Metrics.Add("ReviewsRejected", 1, metrics.Count, map[string]any{"orderId": o.ID})
	}
	if rec != nil {
		if _, err := s.submitRefund(ctx, o, *rec); err != nil && !errors.Is(err, ErrRefundFailed) {
			logging.From(ctx).Warn("submit review refund; the retry job will", "refund_id", rec.ID, "error", err)
		}
	}
	return s.orders.GetWithRefunds(ctx, o.ID)
}

// reviewRefundID is the one refund a rejected review makes.
func reviewRefundID(orderID string) string { return id.Derive("rfd", "review/"+orderID) }

func notInReview(o order.Order) error {
	return ErrNotInReview.With(map[string]any{"status": o.Status})
}

// restockItems give back the stock and slot of a paid order that will not
// be fulfilled, moving its consumed reservation to released (once).
func (s *Service) restockItems(ctx context.Context, o order.Order) ([]types.TransactWriteItem, error) {
	res, ok, err := s.orders.Reservation(ctx, o.ID)
	if err != nil || !ok || res.Status != orderdb.ReservationConsumed {
		return nil, err
	}
	end, err := s.orders.MoveReservation(o.ID, orderdb.ReservationConsumed, orderdb.ReservationReleased)
	if err != nil {
		return nil, err
	}
	items := []types.TransactWriteItem{end}
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

// ReviewItem is an order in the review queue.
type ReviewItem struct {
	ID         string       `json:"id"`
	Status     order.Status `json:"status"`
	Total      money.Money  `json:"total"`
	Lines      int          `json:"lines"`
	Merchants  []string     `json:"merchants"`
	Risk       *order.Risk  `json:"risk"`
	CreatedAt  time.Time    `json:"createdAt"`
	Fulfilment string       `json:"fulfilment"`
}

// ReviewPage is a page of the review queue, oldest first.
type ReviewPage struct {
	Reviews []ReviewItem `json:"reviews"`
	// Next is the cursor of the next page; empty on the last.
	Next string `json:"next,omitempty"`
}

// MaxReviewPage bounds one page of the review queue.
const MaxReviewPage = 100

// ErrBadReviewCursor is a cursor the review queue did not give.
var ErrBadReviewCursor = problem.Field("cursor", "cursor is not one this API returned")

// Reviews returns a page of the orders awaiting risk review, oldest first.
func (s *Service) Reviews(ctx context.Context, cursor string, limit int) (ReviewPage, error) {
	if limit < 1 || limit > MaxReviewPage {
		return ReviewPage{}, problem.Field("limit", fmt.Sprintf("limit must be from 1 to %d", MaxReviewPage))
	}
	in := &dynamodb.QueryInput{
		TableName: aws.String(s.orders.Table()), IndexName: aws.String(orderdb.DueIndex),
		KeyConditionExpression:    aws.String("gsi2pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": dynamo.S(orderdb.ReviewsPending)},
		Limit:                     aws.Int32(int32(limit)),
	}
	if cursor != "" {
		start, ok := dynamo.DecodeCursor(cursor, "gsi2pk", orderdb.ReviewsPending, "pk", "sk", "gsi2pk", "gsi2sk")
		if !ok {
			return ReviewPage{}, ErrBadReviewCursor
		}
		in.ExclusiveStartKey = start
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return ReviewPage{}, fmt.Errorf("list reviews: %w", err)
	}
	page := ReviewPage{Reviews: []ReviewItem{}}
	for _, it := range out.Items {
		o, err := orderdb.Decode(it)
		if err != nil {
			return ReviewPage{}, err
		}
		page.Reviews = append(page.Reviews, ReviewItem{ID: o.ID, Status: o.Status, Total: o.Total, Lines: len(o.Lines), Merchants: o.Merchants(),
			Risk: o.Risk, CreatedAt: o.CreatedAt, Fulfilment: string(o.Fulfilment.Type)})
	}
	page.Next = dynamo.EncodeCursor(out.LastEvaluatedKey)
	return page, nil
}
