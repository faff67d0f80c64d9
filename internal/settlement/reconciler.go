package settlement

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/ledger"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/stripe"
	"github.com/jiaoyi-dev/jiaoyi/internal/reconcile"
)

// ReportSource reads a payment provider's settlement report of a UTC day.
type ReportSource interface {
	Report(ctx context.Context, day string) ([]reconcile.ProviderLine, error)
}

// SandboxReports reads the sandbox's reports.
type SandboxReports struct{ Provider *sandbox.Provider }

// Report implements ReportSource.
func (s SandboxReports) Report(ctx context.Context, day string) ([]reconcile.ProviderLine, error) {
	lines, err := s.Provider.Report(ctx, day)
	if err != nil {
		return nil, err
	}
	out := make([]reconcile.ProviderLine, len(lines))
	for i, l := range lines {
		out[i] = reconcile.ProviderLine{Type: reconcile.Type(l.Type), ProviderRef: l.ProviderRef, OurRef: l.OurRef, Amount: l.Amount, Fee: l.Fee}
	}
	return out, nil
}

// BalanceLister lists Stripe's balance transactions of a window.
type BalanceLister interface {
	BalanceTransactions(ctx context.Context, from, to time.Time) ([]stripe.BalanceTransaction, error)
}

// StripeReports reads Stripe's balance transactions of a UTC day: the
// lines of its balance-transaction export, each with Stripe's own fee.
type StripeReports struct{ Client BalanceLister }

// Report implements ReportSource.
func (s StripeReports) Report(ctx context.Context, day string) ([]reconcile.ProviderLine, error) {
	from, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return nil, fmt.Errorf("stripe report: day %q: %w", day, err)
	}
	txns, err := s.Client.BalanceTransactions(ctx, from, from.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	lines, err := stripe.ReportLines(txns)
	if err != nil {
		return nil, err
	}
	out := make([]reconcile.ProviderLine, len(lines))
	for i, l := range lines {
		out[i] = reconcile.ProviderLine{Type: reconcile.Type(l.Kind), ProviderRef: l.ProviderRef, OurRef: l.OurRef,
			Amount: money.Money{Amount: l.Amount, Currency: l.Currency}, Fee: l.Fee}
	}
	return out, nil
}

// DayReader lists the ledger's transfers of a day.
type DayReader interface {
	TransfersByDay(ctx context.Context, currency, day string) ([]ledger.Transfer, error)
}

// Reconciler matches a provider's report against the ledger, day by day.
type Reconciler struct {
	Ledger   DayReader
	Reports  ReportSource
	Provider string
	Store    *Store
	Metrics  *metrics.Recorder
	Options  reconcile.Options
	Now      func() time.Time
}

// Records are what the ledger booked on a UTC day, as the provider would
// report it: captures (with the provider's fee) by order, refunds by refund
// id, chargebacks by dispute id. Reversals and internal movements (platform
// fees, payouts) are not provider lines.
func Records(ts []ledger.Transfer) []reconcile.Record {
	type key struct {
		typ reconcile.Type
		ref string
	}
	by := map[key]*reconcile.Record{}
	get := func(typ reconcile.Type, ref, parent, cur string) *reconcile.Record {
		k := key{typ, ref}
		if by[k] == nil {
			by[k] = &reconcile.Record{Type: typ, Ref: ref, Parent: parent, Amount: money.Money{Currency: cur}}
		}
		return by[k]
	}
	for _, t := range ts {
		if strings.HasPrefix(t.ID, "rev:") {
			continue
		}
		switch t.Code {
		case CodeSale, CodeLatePayment:
			get(reconcile.Charge, t.Ref, "", t.Currency).Amount.Amount += t.Amount
		case CodeProviderFee:
			get(reconcile.Charge, t.Ref, "", t.Currency).Fee += t.Amount
		case CodeRefund:
			get(reconcile.Refund, idPart(t.ID), t.Ref, t.Currency).Amount.Amount += t.Amount
		case CodeDisputeOpened:
			get(reconcile.Dispute, t.Ref, "", t.Currency).Amount.Amount += t.Amount
		}
	}
	out := make([]reconcile.Record, 0, len(by))
	for _, r := range by {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Ref < out[j].Ref
	})
	return out
}

// idPart is the business id inside a transfer id "code:<id>[:merchant]".
func idPart(transferID string) string {
	parts := strings.Split(transferID, ":")
	if len(parts) < 2 {
		return transferID
	}
	return parts[1]
}

// Run reconciles the provider's report of day (UTC) in currency, stores
// the run and records the unmatched count as a metric.
func (r *Reconciler) Run(ctx context.Context, day, currency string) (Run, error) {
	lines, err := r.Reports.Report(ctx, day)
	if err != nil {
		return Run{}, fmt.Errorf("provider report %s: %w", day, err)
	}
	ts, err := r.Ledger.TransfersByDay(ctx, currency, day)
	if err != nil {
		return Run{}, err
	}
	res, err := reconcile.Match(lines, Records(ts), r.Options)
	if err != nil {
		return Run{}, err
	}
	run := Run{Day: day, Currency: currency, Provider: r.Provider, At: r.Now().UTC(), Matched: len(res.Matches),
		Unmatched: len(res.Findings), ByKind: map[string]int{}, Findings: res.Findings}
	if run.Findings == nil {
		run.Findings = []reconcile.Finding{}
	}
	for _, f := range res.Findings {
		run.ByKind[string(f.Kind)]++
	}
	if err := r.Store.SaveRun(ctx, run); err != nil {
		return Run{}, err
	}
	r.Metrics.Add("ReconciliationUnmatched", float64(run.Unmatched), metrics.Count, map[string]any{"day": day, "currency": currency})
	return run, nil
}
