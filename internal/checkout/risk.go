package checkout

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk"
)

// RiskAssessor is risk control as checkout uses it (internal/risk/riskdb).
type RiskAssessor interface {
	// Assess decides an order about to be placed with one read, and
	// returns the counter writes to commit with its placement.
	Assess(ctx context.Context, in risk.Input) (risk.Assessment, []types.TransactWriteItem, error)
	// PaymentFailed counts a shopper's failed payment.
	PaymentFailed(ctx context.Context, customerID string, at time.Time) error
}

// ErrDeclined is an order risk control blocks: 403 with a generic reason
// code, never the rule (that is logged).
var ErrDeclined = problem.New(problem.Forbidden, "this order cannot be placed").With(map[string]any{"reason": risk.Reason})

// riskInput is the order as risk control sees it.
func riskInput(o order.Order, client order.Client, at time.Time) risk.Input {
	exp, _ := money.Exponent(o.Total.Currency)
	in := risk.Input{
		CustomerID: o.CustomerID, MerchantIDs: o.Merchants(), Amount: o.Total.Amount, Currency: o.Total.Currency, Exponent: exp,
		Pickup: o.Fulfilment.Type == order.Pickup, DeviceID: client.DeviceID, IP: client.IP, At: at,
	}
	if a := o.Fulfilment.Address; a != nil {
		in.AddressKey = risk.AddressKey(a.Line1, a.Line2, a.City, a.PostalCode, a.Country)
	}
	for _, l := range o.Lines {
		in.Lines = append(in.Lines, risk.Line{SKUID: l.SKUID, Category: l.Category, Quantity: l.Quantity, Total: l.Total.Amount})
	}
	return in
}

// assess decides order o before anything is reserved or asked of the
// provider: ErrDeclined for a blocked order (the precise rules are only
// logged); otherwise o carries the decision and the writes that count
// it come back for the placement transaction.
func (s *Service) assess(ctx context.Context, o *order.Order, client order.Client, now time.Time) ([]types.TransactWriteItem, error) {
	if s.Risk == nil {
		return nil, nil
	}
	a, writes, err := s.Risk.Assess(ctx, riskInput(*o, client, now))
	if err != nil {
		return nil, err
	}
	log := logging.From(ctx)
	if a.Decision == risk.Block {
		log.Warn("order blocked by risk control", "order_id", o.ID, "customer", o.CustomerID, "score", a.Score,
			"model", a.ModelVersion, "rules", a.Rules)
		s.Metrics.Add("OrdersBlocked", 1, metrics.Count, map[string]any{"model": a.ModelVersion})
		return nil, ErrDeclined
	}
	o.Risk = &order.Risk{Decision: string(a.Decision), Score: a.Score, ModelVersion: a.ModelVersion, Rules: a.Rules, AssessedAt: now}
	if a.Decision == risk.Review {
		log.Info("order flagged for review", "order_id", o.ID, "score", a.Score, "model", a.ModelVersion, "rules", a.Rules)
		s.Metrics.Add("OrdersFlaggedForReview", 1, metrics.Count, map[string]any{"orderId": o.ID, "model": a.ModelVersion})
	}
	return writes, nil
}

// paymentFailed counts a failed payment for the shopper's velocity; a
// failure to count is logged, never fails the payment's handling.
func (s *Service) paymentFailed(ctx context.Context, customerID string) {
	if s.Risk == nil {
		return
	}
	if err := s.Risk.PaymentFailed(ctx, customerID, s.Now().UTC()); err != nil {
		logging.From(ctx).Warn("count failed payment for risk control", "error", err)
	}
}
