// Package settlement turns jiaoyi's money events into ledger postings,
// settles each merchant daily from its payable account, and reconciles the
// payment provider's report against the ledger. The arithmetic lives in
// internal/settle and internal/reconcile; the book in internal/ledger.
//
// Accounts (per currency):
//
//	provider_clearing        money the PSP holds for us (debit-normal)
//	merchant_payable:<id>    owed to a merchant; may not go below zero
//	platform_fee_revenue     our fees
//	provider_fee_expense     the PSP's fees
//	refunds_in_flight        a late payment between its capture and its refund
//	payouts_in_flight        payouts sent, not yet at the merchant's bank
//	disputes                 money held by chargebacks
//
// Transfer ids are derived from the event (order, refund or dispute id and
// merchant), so a redelivered or republished event posts nothing new.
package settlement

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/ledger"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
)

// Transfer codes: what a transfer records. A merchant's statement maps
// them to its kinds of line.
const (
	CodeSale          = "sale"
	CodeFee           = "fee"
	CodeProviderFee   = "provider_fee"
	CodeRefund        = "refund"
	CodeFeeReturned   = "fee_returned"
	CodeLatePayment   = "late_payment"
	CodeDisputeOpened = "dispute_opened"
	CodeDisputeWon    = "dispute_won"
	CodeDisputeLost   = "dispute_lost"
	CodePayout        = "payout"
	// CodeAdvance is the platform covering a payable's shortfall; CodeRecovery
	// takes it back from the merchant's next settlement.
	CodeAdvance  = "advance"
	CodeRecovery = "recovery"
)

// Account ids.
var (
	Clearing        = ledger.AccountID(ledger.ProviderClearing, "")
	FeeRevenue      = ledger.AccountID(ledger.PlatformFeeRevenue, "")
	ProviderFees    = ledger.AccountID(ledger.ProviderFeeExpense, "")
	RefundsInFlight = ledger.AccountID(ledger.RefundsInFlight, "")
	PayoutsInFlight = ledger.AccountID(ledger.PayoutsInFlight, "")
	Disputes        = ledger.AccountID(ledger.Disputes, "")
)

// Payable is a merchant's payable account id.
func Payable(merchant string) string { return ledger.AccountID(ledger.MerchantPayable, merchant) }

// Receivable is a merchant's receivable account id (what it owes us).
func Receivable(merchant string) string { return ledger.AccountID(ledger.MerchantReceivable, merchant) }

// ErrNoMerchant means an order line names no merchant: the order cannot be
// settled to anyone, which is a defect upstream.
var ErrNoMerchant = errors.New("settlement: order line without a merchant")

// day is the provider's settlement day of t: its UTC date, the day a
// provider's report lists the movement under.
func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// share is one merchant's part of an order.
type share struct {
	merchant string
	lines    []settle.Line
	total    money.Money
}

// shares groups an order's lines by merchant, in merchant id order.
func shares(lines []order.Line, currency string) ([]share, error) {
	by := map[string]*share{}
	for _, l := range lines {
		if l.MerchantID == "" {
			return nil, fmt.Errorf("%w: sku %s", ErrNoMerchant, l.SKUID)
		}
		s := by[l.MerchantID]
		if s == nil {
			s = &share{merchant: l.MerchantID, total: money.Money{Currency: currency}}
			by[l.MerchantID] = s
		}
		s.lines = append(s.lines, settle.Line{Category: l.Category, Total: l.Total})
		s.total.Amount += l.Total.Amount
	}
	out := make([]share, 0, len(by))
	for _, s := range by {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].merchant < out[j].merchant })
	return out, nil
}

// postings packs transfers into postings of at most ledger.MaxTransfers,
// named id, id:2, id:3… (an order with many merchants takes several; each
// is idempotent on its own).
func postings(id string, ts []ledger.Transfer) []ledger.Posting {
	var out []ledger.Posting
	for i := 0; i < len(ts); i += ledger.MaxTransfers {
		pid := id
		if i > 0 {
			pid = fmt.Sprintf("%s:%d", id, i/ledger.MaxTransfers+1)
		}
		chunk := ts[i:min(len(ts), i+ledger.MaxTransfers)]
		for j := range chunk {
			chunk[j].PostingID = pid
		}
		out = append(out, ledger.Posting{ID: pid, Transfers: chunk})
	}
	return out
}

// transfer builds a transfer of amount, flipping its direction when
// amount is negative (a cumulative split can move a unit back), and
// leaving out zero amounts.
func transfer(ts []ledger.Transfer, id, debit, credit string, amount int64, cur, code, ref string, at time.Time) []ledger.Transfer {
	switch {
	case amount == 0:
		return ts
	case amount < 0:
		debit, credit, amount = credit, debit, -amount
	}
	return append(ts, ledger.Transfer{ID: id, Debit: debit, Credit: credit, Amount: amount, Currency: cur,
		Code: code, Ref: ref, Day: day(at), At: at})
}

// ProviderFee is the PSP's fee on a capture of amount at a published rate
// in basis points, rounded half-even in minor units.
func ProviderFee(amount int64, basisPoints int64) int64 {
	return settle.RoundHalfEven(new(big.Int).Mul(big.NewInt(amount), big.NewInt(basisPoints)), big.NewInt(10000))
}

// SalePostings books a paid order: for each merchant, clearing → payable
// for its lines' total (sale) and payable → fee revenue for its platform fee
// under its schedule (fee); and the provider's fee, provider fee expense →
// clearing. schedules holds each merchant's fee schedule.
func SalePostings(p checkout.OrderPaid, schedules map[string]settle.FeeSchedule, providerFee int64) ([]ledger.Posting, error) {
	cur := p.Total.Currency
	ss, err := shares(p.Lines, cur)
	if err != nil {
		return nil, err
	}
	var ts []ledger.Transfer
	for _, s := range ss {
		sched, ok := schedules[s.merchant]
		if !ok {
			return nil, fmt.Errorf("settlement: no fee schedule for merchant %s", s.merchant)
		}
		_, fee, err := settle.Fees(sched, s.lines)
		if err != nil {
			return nil, fmt.Errorf("fees of order %s, merchant %s: %w", p.OrderID, s.merchant, err)
		}
		ts = transfer(ts, "sale:"+p.OrderID+":"+s.merchant, Clearing, Payable(s.merchant), s.total.Amount, cur, CodeSale, p.OrderID, p.PaidAt)
		ts = transfer(ts, "fee:"+p.OrderID+":"+s.merchant, Payable(s.merchant), FeeRevenue, min(fee.Amount, s.total.Amount), cur, CodeFee, p.OrderID, p.PaidAt)
	}
	ts = transfer(ts, "pfee:"+p.OrderID, ProviderFees, Clearing, providerFee, cur, CodeProviderFee, p.OrderID, p.PaidAt)
	return postings("sale:"+p.OrderID, ts), nil
}

// SaleFeeID is the id of a merchant's platform fee transfer on an order.
func SaleFeeID(orderID, merchant string) string { return "fee:" + orderID + ":" + merchant }

// RefundPostings books a succeeded refund of a paid order: each merchant's
// part goes payable → clearing, and its share of the platform fee comes
// back, fee revenue → payable. Parts are split cumulatively: the refund's
// part for a merchant is its share of the order's refunded total after the
// refund minus its share before, each by largest remainder over the
// merchants' line totals (settle.SplitRefund), so a series of partial
// refunds moves exactly what one refund of their sum would, and never more
// than a merchant sold. The fee share is round-half-even(fee × refunded /
// sold) after minus before, likewise. fees holds each merchant's platform
// fee on the order (from the sale's transfers).
func RefundPostings(r checkout.RefundChanged, fees map[string]int64, at time.Time) ([]ledger.Posting, error) {
	cur := r.Total.Currency
	if r.Origin == order.RefundLatePayment {
		// The order was never paid: the money came in late and goes back.
		var ts []ledger.Transfer
		ts = transfer(ts, "late-in:"+r.RefundID, Clearing, RefundsInFlight, r.Amount.Amount, cur, CodeLatePayment, r.OrderID, at)
		ts = transfer(ts, "refund:"+r.RefundID, RefundsInFlight, Clearing, r.Amount.Amount, cur, CodeRefund, r.OrderID, at)
		return postings("refund:"+r.RefundID, ts), nil
	}
	ss, err := shares(r.Lines, cur)
	if err != nil {
		return nil, err
	}
	before := r.Refunded.Amount - r.Amount.Amount
	if before < 0 || r.Refunded.Amount > r.Total.Amount {
		return nil, fmt.Errorf("settlement: refund %s: refunded %d of %d with %d now", r.RefundID, r.Refunded.Amount, r.Total.Amount, r.Amount.Amount)
	}
	basis := make([]money.Money, len(ss))
	for i, s := range ss {
		basis[i] = s.total
	}
	after, err := settle.SplitRefund(r.Refunded, basis)
	if err != nil {
		return nil, fmt.Errorf("split refund %s: %w", r.RefundID, err)
	}
	prior, err := settle.SplitRefund(money.Money{Amount: before, Currency: cur}, basis)
	if err != nil {
		return nil, fmt.Errorf("split refund %s: %w", r.RefundID, err)
	}
	var ts []ledger.Transfer
	for i, s := range ss {
		part := after[i].Amount - prior[i].Amount
		ts = transfer(ts, "refund:"+r.RefundID+":"+s.merchant, Payable(s.merchant), Clearing, part, cur, CodeRefund, r.OrderID, at)
		fee := fees[s.merchant]
		back := feeShare(fee, after[i].Amount, s.total.Amount) - feeShare(fee, prior[i].Amount, s.total.Amount)
		ts = transfer(ts, "feeback:"+r.RefundID+":"+s.merchant, FeeRevenue, Payable(s.merchant), back, cur, CodeFeeReturned, r.OrderID, at)
	}
	if len(ts) == 0 {
		return nil, nil
	}
	return postings("refund:"+r.RefundID, ts), nil
}

// RefundTransferIDs are the ids a refund's postings may hold, for the
// reversal of a refund that failed after succeeding.
func RefundTransferIDs(r checkout.RefundChanged) []string {
	ids := []string{"late-in:" + r.RefundID, "refund:" + r.RefundID}
	seen := map[string]bool{}
	for _, l := range r.Lines {
		if l.MerchantID != "" && !seen[l.MerchantID] {
			seen[l.MerchantID] = true
			ids = append(ids, "refund:"+r.RefundID+":"+l.MerchantID, "feeback:"+r.RefundID+":"+l.MerchantID)
		}
	}
	return ids
}

// feeShare is round-half-even(fee × part / whole).
func feeShare(fee, part, whole int64) int64 {
	if whole == 0 || fee == 0 {
		return 0
	}
	return settle.RoundHalfEven(new(big.Int).Mul(big.NewInt(fee), big.NewInt(part)), big.NewInt(whole))
}

// Dispute outcomes that give the money back to the merchant.
var disputeWon = map[string]bool{"won": true, "warning_closed": true}

// DisputePostings books a chargeback: opened moves each merchant's part
// (split over their line totals) payable → disputes; closed moves it back
// to the payable if won, or disputes → clearing if lost (the provider took
// it from what it holds for us).
func DisputePostings(typ string, d checkout.Dispute, at time.Time) ([]ledger.Posting, error) {
	cur := d.Total.Currency
	ss, err := shares(d.Lines, cur)
	if err != nil {
		return nil, err
	}
	basis := make([]money.Money, len(ss))
	for i, s := range ss {
		basis[i] = s.total
	}
	amount := d.Amount
	if amount.Amount > d.Total.Amount {
		amount.Amount = d.Total.Amount
	}
	parts, err := settle.SplitRefund(amount, basis)
	if err != nil {
		return nil, fmt.Errorf("split dispute %s: %w", d.DisputeID, err)
	}
	var ts []ledger.Transfer
	for i, s := range ss {
		switch {
		case typ == checkout.TypeDisputeOpened:
			ts = transfer(ts, "dispute:"+d.DisputeID+":"+s.merchant, Payable(s.merchant), Disputes, parts[i].Amount, cur, CodeDisputeOpened, d.OrderID, at)
		case disputeWon[d.Status]:
			ts = transfer(ts, "dispute-won:"+d.DisputeID+":"+s.merchant, Disputes, Payable(s.merchant), parts[i].Amount, cur, CodeDisputeWon, d.OrderID, at)
		default:
			ts = transfer(ts, "dispute-lost:"+d.DisputeID+":"+s.merchant, Disputes, Clearing, parts[i].Amount, cur, CodeDisputeLost, d.OrderID, at)
		}
	}
	id := "dispute:" + d.DisputeID
	if typ == checkout.TypeDisputeClosed {
		id = "dispute-closed:" + d.DisputeID
	}
	return postings(id, ts), nil
}
