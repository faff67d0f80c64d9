package settlement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/ledger"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
)

// ErrNotReady means an event arrived before one it depends on (a refund
// before its order's payment was booked): retry it later.
var ErrNotReady = errors.New("settlement: an earlier event is not booked yet")

// Book is the part of the ledger the poster uses.
type Book interface {
	Post(ctx context.Context, p ledger.Posting) (ledger.Outcome, error)
	CreateAccount(ctx context.Context, a ledger.Account) (ledger.Outcome, error)
	Transfer(ctx context.Context, id string) (ledger.Transfer, error)
	Account(ctx context.Context, currency, id string) (ledger.Account, error)
}

// Merchants reads merchants (their fee schedules).
type Merchants interface {
	Merchant(ctx context.Context, id string) (catalog.Merchant, error)
}

// Poster books money events in the ledger, once each.
type Poster struct {
	Book      Book
	Merchants Merchants
	// Inbox drops events already booked before any work.
	Inbox *outbox.Inbox
	// ProviderFeeBP is each provider's published fee rate in basis points
	// (the sandbox's), for providers without a CaptureFees entry.
	ProviderFeeBP map[string]int64
	// CaptureFees reads, per provider, the fee it actually charged on a
	// capture from its balance data (Stripe: the charge's balance
	// transaction). A failure fails the posting, which the queue retries.
	CaptureFees map[string]CaptureFeeReader
}

// CaptureFeeReader reads the provider's fee on the capture of a payment.
type CaptureFeeReader interface {
	CaptureFee(ctx context.Context, intentID string) (int64, error)
}

// Apply books one event. Unknown event types are ignored. Returns
// ErrNotReady when the event must wait for another, and the ledger's errors
// (ledger.ErrExceedsCredits when a merchant's payable cannot cover a
// chargeback).
func (p *Poster) Apply(ctx context.Context, e outbox.Event) error {
	if p.Inbox != nil {
		seen, err := p.Inbox.Seen(ctx, e.ID)
		if err != nil {
			return err
		}
		if seen {
			return nil
		}
	}
	var err error
	switch e.Type {
	case checkout.TypeOrderPaid:
		err = p.sale(ctx, e)
	case checkout.TypeRefundSucceeded:
		err = p.refund(ctx, e)
	case checkout.TypeRefundFailed:
		err = p.refundFailed(ctx, e)
	case checkout.TypeDisputeOpened, checkout.TypeDisputeClosed:
		err = p.dispute(ctx, e)
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("book %s %s: %w", e.Type, e.ID, err)
	}
	if p.Inbox != nil {
		if err := p.Inbox.Mark(ctx, e.ID); err != nil && !errors.Is(err, outbox.ErrSeen) {
			return err
		}
	}
	return nil
}

func (p *Poster) sale(ctx context.Context, e outbox.Event) error {
	var paid checkout.OrderPaid
	if err := json.Unmarshal(e.Data, &paid); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if paid.PaidAt.IsZero() {
		paid.PaidAt = e.OccurredAt
	}
	schedules := map[string]settle.FeeSchedule{}
	for _, l := range paid.Lines {
		if _, ok := schedules[l.MerchantID]; ok || l.MerchantID == "" {
			continue
		}
		m, err := p.Merchants.Merchant(ctx, l.MerchantID)
		if err != nil {
			return err
		}
		schedules[l.MerchantID] = Schedule(m.Fees)
	}
	fee := ProviderFee(paid.Total.Amount, p.ProviderFeeBP[paid.Provider])
	if r, ok := p.CaptureFees[paid.Provider]; ok {
		var err error
		if fee, err = r.CaptureFee(ctx, paid.IntentID); err != nil {
			return fmt.Errorf("provider fee of %s: %w", paid.OrderID, err)
		}
	}
	ps, err := SalePostings(paid, schedules, fee)
	if err != nil {
		return err
	}
	return post(ctx, p.Book, ps)
}

// Schedule is a merchant's fee schedule as settle computes it.
func Schedule(f catalog.FeeSchedule) settle.FeeSchedule {
	return settle.FeeSchedule{BasisPoints: f.BasisPoints, Fixed: f.Fixed, CategoryBasisPoints: f.CategoryBasisPoints}
}

func (p *Poster) refund(ctx context.Context, e outbox.Event) error {
	var r checkout.RefundChanged
	if err := json.Unmarshal(e.Data, &r); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	fees := map[string]int64{}
	for _, l := range r.Lines {
		if _, ok := fees[l.MerchantID]; ok || l.MerchantID == "" || r.Origin == "late_payment" {
			continue
		}
		// The fee taken on the sale, and proof that the sale is booked.
		t, err := p.Book.Transfer(ctx, SaleFeeID(r.OrderID, l.MerchantID))
		switch {
		case errors.Is(err, ledger.ErrNotFound):
			if _, serr := p.Book.Transfer(ctx, "sale:"+r.OrderID+":"+l.MerchantID); serr != nil {
				return fmt.Errorf("%w: sale of order %s", ErrNotReady, r.OrderID)
			}
			fees[l.MerchantID] = 0 // a sale with no fee
		case err != nil:
			return err
		default:
			fees[l.MerchantID] = t.Amount
		}
	}
	ps, err := RefundPostings(r, fees, e.OccurredAt)
	if err != nil {
		return err
	}
	return post(ctx, p.Book, ps)
}

// refundFailed reverses what a refund booked when it succeeded.
func (p *Poster) refundFailed(ctx context.Context, e outbox.Event) error {
	var r checkout.RefundChanged
	if err := json.Unmarshal(e.Data, &r); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	var ts []ledger.Transfer
	for _, id := range RefundTransferIDs(r) {
		t, err := p.Book.Transfer(ctx, id)
		if errors.Is(err, ledger.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		rev := ledger.Reversal(t, day(e.OccurredAt))
		rev.At = e.OccurredAt
		ts = append(ts, rev)
	}
	if len(ts) == 0 {
		return fmt.Errorf("%w: refund %s", ErrNotReady, r.RefundID)
	}
	return post(ctx, p.Book, postings("rev:refund:"+r.RefundID, ts))
}

func (p *Poster) dispute(ctx context.Context, e outbox.Event) error {
	var d checkout.Dispute
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	ps, err := DisputePostings(e.Type, d, e.OccurredAt)
	if err != nil {
		return err
	}
	return post(ctx, p.Book, ps)
}

// post posts each posting, creating on first use the accounts it names.
// When a merchant's payable cannot cover what a posting debits it (a
// refund or chargeback after its money was paid out), the payable is not
// let below zero: the platform advances the shortfall from the merchant's
// receivable in the same posting, and settlement recovers it from the
// merchant's next payouts. The limit stays a condition: if the balance read
// here moves before the posting commits, the posting fails and is rebuilt.
func post(ctx context.Context, book Book, ps []ledger.Posting) error {
	for _, p := range ps {
		orig := p
		var err error
		for range 4 {
			_, err = book.Post(ctx, p)
			if errors.Is(err, ledger.ErrAccountNotFound) {
				if err = createAccounts(ctx, book, p); err != nil {
					return err
				}
				_, err = book.Post(ctx, p)
			}
			if !errors.Is(err, ledger.ErrExceedsCredits) {
				break
			}
			// An identical posting may already be there (a redelivery).
			if p, err = advance(ctx, book, orig); err != nil {
				return err
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// advance returns the posting with, for each merchant payable it would
// take below zero, a transfer receivable → payable of the shortfall.
func advance(ctx context.Context, book Book, p ledger.Posting) (ledger.Posting, error) {
	debits := map[string]int64{}
	for _, t := range p.Transfers {
		debits[t.Debit] += t.Amount
		debits[t.Credit] -= t.Amount
	}
	out := ledger.Posting{ID: p.ID, Transfers: append([]ledger.Transfer(nil), p.Transfers...)}
	ids := make([]string, 0, len(debits))
	for id := range debits {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		merchant, ok := strings.CutPrefix(id, string(ledger.MerchantPayable)+":")
		if !ok || debits[id] <= 0 {
			continue
		}
		cur := p.Transfers[0].Currency
		a, err := book.Account(ctx, cur, id)
		if err != nil {
			return p, err
		}
		short := debits[id] - (a.CreditsPosted - a.DebitsPosted)
		if short <= 0 {
			continue
		}
		recv := ledger.AccountID(ledger.MerchantReceivable, merchant)
		ra, err := ledger.NewAccount(ledger.MerchantReceivable, merchant, cur)
		if err != nil {
			return p, err
		}
		if _, err := book.CreateAccount(ctx, ra); err != nil {
			return p, err
		}
		if len(out.Transfers) >= ledger.MaxTransfers {
			return p, fmt.Errorf("settlement: posting %s has no room for an advance", p.ID)
		}
		first := p.Transfers[0]
		out.Transfers = append(out.Transfers, ledger.Transfer{ID: "advance:" + p.ID + ":" + merchant, PostingID: p.ID, Debit: recv, Credit: id,
			Amount: short, Currency: cur, Code: CodeAdvance, Ref: first.Ref, Day: first.Day, At: first.At})
	}
	return out, nil
}

func createAccounts(ctx context.Context, book Book, ps ledger.Posting) error {
	seen := map[string]bool{}
	for _, t := range ps.Transfers {
		for _, id := range []string{t.Debit, t.Credit} {
			if seen[id] {
				continue
			}
			seen[id] = true
			a, err := AccountFor(id, t.Currency)
			if err != nil {
				return err
			}
			if _, err := book.CreateAccount(ctx, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// AccountFor returns the account an id names in currency.
func AccountFor(id, currency string) (ledger.Account, error) {
	kind, merchant, _ := strings.Cut(id, ":")
	return ledger.NewAccount(ledger.Kind(kind), merchant, currency)
}
