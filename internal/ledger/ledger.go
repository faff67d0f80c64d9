// Package ledger owns jiaoyi's double-entry book of money, kept in the
// Ledger table by TigerBeetle's rules: accounts per currency carry
// debits_posted and credits_posted in minor units, with optional flags that
// forbid a balance going the wrong way; transfers are immutable, chosen by
// the client's id, and posted in all-or-nothing postings; corrections are
// reversing transfers, never updates or deletes.
//
// Layout (one table, pk/sk, gsi1):
//
//	account   pk ACCT#<cur>#<account id>  sk ACCT
//	register  pk ACCTS#<cur>              sk <account id>      (the currency's accounts, for TrialBalance)
//	transfer  pk XFER#<transfer id>       sk XFER              gsi1 DAY#<cur>#<settlement day> / <time>#<id>
//	entry     pk ACCT#<cur>#<account id>  sk E#<time>#<transfer id>   (one per side, for statements)
//
// A posting is one TransactWriteItems: an ADD to each account it touches,
// conditional on the account existing in the posting's currency and on its
// flags holding after the posting, plus a conditional Put of each transfer
// (attribute_not_exists) and of its two entries.
package ledger

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
)

// Errors callers branch on.
var (
	// ErrInvalid means a transfer, posting or account is malformed.
	ErrInvalid = errors.New("ledger: invalid")
	// ErrExistsWithDifferent means a transfer or account id is taken by
	// one with other fields; nothing was written.
	ErrExistsWithDifferent = errors.New("ledger: id exists with different fields")
	// ErrAccountNotFound means a posting names an account that does not
	// exist in its currency.
	ErrAccountNotFound = errors.New("ledger: account not found")
	// ErrExceedsCredits means a posting would make an account flagged
	// DebitsMustNotExceedCredits go below zero.
	ErrExceedsCredits = errors.New("ledger: debits would exceed credits")
	// ErrExceedsDebits means a posting would make an account flagged
	// CreditsMustNotExceedDebits go below zero.
	ErrExceedsDebits = errors.New("ledger: credits would exceed debits")
	// ErrBusy means the posting kept conflicting with concurrent ones.
	ErrBusy = errors.New("ledger: busy; retry")
	// ErrNotFound means a transfer id is unknown.
	ErrNotFound = errors.New("ledger: not found")
)

// Outcome says what a create did.
type Outcome int

// Outcomes.
const (
	// Created means the posting or account was written now.
	Created Outcome = iota + 1
	// Exists means an identical one was already there; nothing changed.
	Exists
)

func (o Outcome) String() string {
	switch o {
	case Created:
		return "created"
	case Exists:
		return "exists"
	}
	return "unknown"
}

// Kind is an account's role.
type Kind string

// Account kinds.
const (
	ProviderClearing   Kind = "provider_clearing"    // money the PSP holds for us
	MerchantPayable    Kind = "merchant_payable"     // owed to one merchant
	PlatformFeeRevenue Kind = "platform_fee_revenue" // our fees
	ProviderFeeExpense Kind = "provider_fee_expense" // the PSP's fees
	RefundsInFlight    Kind = "refunds_in_flight"    // refunds sent, not yet settled
	PayoutsInFlight    Kind = "payouts_in_flight"    // payouts sent, not yet settled
	Bank               Kind = "bank"                 // our bank account
	Disputes           Kind = "disputes"             // disputed money held
	// MerchantReceivable is what a merchant owes us: a refund or chargeback
	// its payable could not cover, advanced by the platform and recovered
	// from its next settlements.
	MerchantReceivable Kind = "merchant_receivable"
)

var kinds = map[Kind]bool{ProviderClearing: true, MerchantPayable: true, PlatformFeeRevenue: true,
	ProviderFeeExpense: true, RefundsInFlight: true, PayoutsInFlight: true, Bank: true, Disputes: true, MerchantReceivable: true}

// perMerchant are the kinds kept per merchant.
func perMerchant(k Kind) bool { return k == MerchantPayable || k == MerchantReceivable }

// AccountID returns the id of the account of kind (for a merchant's payable
// or receivable, of merchant): "merchant_payable:<merchant>" or the kind
// itself.
func AccountID(kind Kind, merchant string) string {
	if perMerchant(kind) {
		return string(kind) + ":" + merchant
	}
	return string(kind)
}

// Flags limit an account's balance.
type Flags struct {
	// DebitsMustNotExceedCredits: debits_posted ≤ credits_posted always
	// (a merchant payable may not go below zero).
	DebitsMustNotExceedCredits bool
	// CreditsMustNotExceedDebits: credits_posted ≤ debits_posted always.
	CreditsMustNotExceedDebits bool
}

// Account is one account of one currency.
type Account struct {
	ID       string
	Currency string
	Kind     Kind
	Merchant string
	Flags    Flags
	// DebitsPosted and CreditsPosted are read-only totals in minor units.
	DebitsPosted, CreditsPosted int64
}

// NewAccount returns the account of kind (for a merchant payable, of
// merchant) in currency, with the flags its kind implies: a merchant
// payable may not be debited below zero. Returns ErrInvalid for an unknown
// kind or currency, or a payable without a merchant.
func NewAccount(kind Kind, merchant, currency string) (Account, error) {
	a := Account{ID: AccountID(kind, merchant), Currency: currency, Kind: kind, Merchant: merchant}
	if kind == MerchantPayable {
		a.Flags.DebitsMustNotExceedCredits = true
	}
	return a, a.validate()
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_.:\-]{1,128}$`)

func (a Account) validate() error {
	if !kinds[a.Kind] {
		return fmt.Errorf("%w: account kind %q", ErrInvalid, a.Kind)
	}
	if _, ok := money.Exponent(a.Currency); !ok {
		return fmt.Errorf("%w: account %s: currency %q", ErrInvalid, a.ID, a.Currency)
	}
	if perMerchant(a.Kind) != (a.Merchant != "") {
		return fmt.Errorf("%w: account %s: a merchant goes with, and only with, a merchant's payable or receivable", ErrInvalid, a.ID)
	}
	if a.ID != AccountID(a.Kind, a.Merchant) || !idPattern.MatchString(a.ID) {
		return fmt.Errorf("%w: account id %q", ErrInvalid, a.ID)
	}
	if a.Flags.DebitsMustNotExceedCredits && a.Flags.CreditsMustNotExceedDebits {
		return fmt.Errorf("%w: account %s: both balance flags set", ErrInvalid, a.ID)
	}
	return nil
}

// Transfer moves Amount from the Debit account to the Credit account. Its
// ID is chosen by the client, and the same ID always means the same
// transfer. Timestamp is assigned by the ledger when posted.
type Transfer struct {
	ID        string
	PostingID string
	Debit     string
	Credit    string
	Amount    int64
	Currency  string
	// Code says why (sale, fee, refund, payout…); Ref names the business
	// object (order or refund id); Day is the settlement day, YYYY-MM-DD.
	Code string
	Ref  string
	Day  string
	// At is when the business event happened (a payment, a refund), which
	// may be earlier than its posting; zero if not given. Settlement
	// attributes an entry to a merchant's business day by it.
	At time.Time
	// Timestamp is when the ledger posted it (zero on input).
	Timestamp time.Time
}

// same reports whether t and o are the same transfer (all fields the
// client chooses; not the timestamp).
func (t Transfer) same(o Transfer) bool {
	t.Timestamp, o.Timestamp = time.Time{}, time.Time{}
	return t.At.Equal(o.At) && withoutAt(t) == withoutAt(o)
}

func withoutAt(t Transfer) Transfer {
	t.At = time.Time{}
	return t
}

// Reversal returns the transfer that undoes t: same amount, accounts
// swapped, id "rev:"+t.ID, in posting "rev:"+t.PostingID, on day.
func Reversal(t Transfer, day string) Transfer {
	return Transfer{ID: "rev:" + t.ID, PostingID: "rev:" + t.PostingID, Debit: t.Credit, Credit: t.Debit,
		Amount: t.Amount, Currency: t.Currency, Code: t.Code, Ref: t.Ref, Day: day, At: t.At}
}

// Posting is transfers that happen together or not at all (a sale: debit
// clearing, credit the merchant's payable and our fee revenue). Every
// transfer carries the posting's ID and currency.
type Posting struct {
	ID        string
	Transfers []Transfer
}

// MaxTransfers bounds the transfers of one posting: each costs three items
// (the transfer and its two entries) and touches up to two accounts, and a
// DynamoDB transaction holds at most 100 items (3×20 + 2×20 = 100).
const MaxTransfers = 20

var dayPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func (p Posting) validate() error {
	if !idPattern.MatchString(p.ID) {
		return fmt.Errorf("%w: posting id %q", ErrInvalid, p.ID)
	}
	if len(p.Transfers) == 0 || len(p.Transfers) > MaxTransfers {
		return fmt.Errorf("%w: posting %s has %d transfers, want 1..%d", ErrInvalid, p.ID, len(p.Transfers), MaxTransfers)
	}
	ids := map[string]bool{}
	for i, t := range p.Transfers {
		switch {
		case !idPattern.MatchString(t.ID):
			return fmt.Errorf("%w: transfer %d id %q", ErrInvalid, i, t.ID)
		case ids[t.ID]:
			return fmt.Errorf("%w: transfer id %s twice in posting %s", ErrInvalid, t.ID, p.ID)
		case t.PostingID != p.ID:
			return fmt.Errorf("%w: transfer %s names posting %q, not %q", ErrInvalid, t.ID, t.PostingID, p.ID)
		case t.Currency != p.Transfers[0].Currency:
			return fmt.Errorf("%w: transfer %s in %s, posting in %s", ErrInvalid, t.ID, t.Currency, p.Transfers[0].Currency)
		case t.Debit == t.Credit:
			return fmt.Errorf("%w: transfer %s debits and credits the same account", ErrInvalid, t.ID)
		case !idPattern.MatchString(t.Debit) || !idPattern.MatchString(t.Credit):
			return fmt.Errorf("%w: transfer %s account ids", ErrInvalid, t.ID)
		case t.Amount <= 0 || t.Amount > money.MaxAmount:
			return fmt.Errorf("%w: transfer %s amount %d outside 1..%d", ErrInvalid, t.ID, t.Amount, money.MaxAmount)
		case !dayPattern.MatchString(t.Day):
			return fmt.Errorf("%w: transfer %s settlement day %q, want YYYY-MM-DD", ErrInvalid, t.ID, t.Day)
		case !t.Timestamp.IsZero():
			return fmt.Errorf("%w: transfer %s has a timestamp; the ledger assigns it", ErrInvalid, t.ID)
		}
		if _, ok := money.Exponent(t.Currency); !ok {
			return fmt.Errorf("%w: transfer %s currency %q", ErrInvalid, t.ID, t.Currency)
		}
		ids[t.ID] = true
	}
	return nil
}
