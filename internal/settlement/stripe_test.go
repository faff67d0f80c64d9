package settlement_test

import (
	"context"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/stripe"
	"github.com/jiaoyi-dev/jiaoyi/internal/reconcile"
	"github.com/jiaoyi-dev/jiaoyi/internal/settlement"
)

// stripeAccount is Stripe as the ledger sees it: the fee it charged per
// PaymentIntent, and its balance transactions.
type stripeAccount struct {
	fees map[string]int64
	txns []stripe.BalanceTransaction
}

func (s *stripeAccount) CaptureFee(_ context.Context, intentID string) (int64, error) {
	return s.fees[intentID], nil
}

func (s *stripeAccount) BalanceTransactions(_ context.Context, from, to time.Time) ([]stripe.BalanceTransaction, error) {
	var out []stripe.BalanceTransaction
	for _, t := range s.txns {
		if c := time.Unix(t.Created, 0); !c.Before(from) && c.Before(to) {
			out = append(out, t)
		}
	}
	return out, nil
}

// With Stripe, the ledger books the fee Stripe actually charged (its
// balance transaction's), and reconciliation reads Stripe's balance
// transactions: a clean day matches, a fee Stripe changed is found.
func TestStripeFeesAndBalanceTransactionsReconcile(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	r.clock.Set(now)
	acct := &stripeAccount{fees: map[string]int64{"pi_s1": 1645, "pi_s2": 888}}
	r.poster.CaptureFees = map[string]settlement.CaptureFeeReader{stripe.Name: acct}
	for _, o := range []struct{ order, intent string }{{"ord_s1", "pi_s1"}, {"ord_s2", "pi_s2"}} {
		e := event(t, "evt_paid_"+o.order, checkout.TypeOrderPaid, now,
			checkout.OrderPaid{OrderID: o.order, Total: cny(30000), Lines: lines(), PaidAt: now, Provider: stripe.Name, IntentID: o.intent})
		if err := r.poster.Apply(ctx, e); err != nil {
			t.Fatal(err)
		}
		acct.txns = append(acct.txns, stripe.BalanceTransaction{ID: "txn_" + o.intent, ReportingCategory: "charge", Type: "charge",
			Amount: 30000, Fee: acct.fees[o.intent], Net: 30000 - acct.fees[o.intent], Currency: "cny", Created: now.Unix(),
			Source: stripe.Source{ID: "ch_" + o.intent, Object: "charge", Metadata: map[string]string{"order_id": o.order}}})
	}
	if got := balance(t, r, settlement.ProviderFees); got != -(1645 + 888) {
		t.Errorf("provider fee expense %d, want Stripe's fees %d", got, -(1645 + 888))
	}
	balanced(t, r)
	recon := *r.recon
	recon.Reports, recon.Provider = settlement.StripeReports{Client: acct}, stripe.Name
	run, err := recon.Run(ctx, "2026-11-24", "CNY")
	if err != nil {
		t.Fatal(err)
	}
	if run.Matched != 2 || run.Unmatched != 0 {
		t.Fatalf("clean Stripe day: %d matched, findings %+v", run.Matched, run.Findings)
	}
	acct.txns[1].Fee++ // Stripe reports another fee than it charged
	run, err = recon.Run(ctx, "2026-11-24", "CNY")
	if err != nil {
		t.Fatal(err)
	}
	if run.Unmatched != 1 || run.Findings[0].Ref != "ord_s2" || run.Findings[0].Kind == reconcile.Matched {
		t.Errorf("a changed fee: findings %+v", run.Findings)
	}
}
