package settle

import (
	"fmt"
	"sort"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
)

// Kind is what a merchant's ledger entry records.
type Kind string

// The kinds of entry, with their sign in the merchant's net.
const (
	Sale             Kind = "sale"              // + gross sales
	Refund           Kind = "refund"            // − money returned to buyers
	Fee              Kind = "fee"               // − platform fees
	FeeReturned      Kind = "fee_returned"      // + fees given back on refunds
	DisputeOpened    Kind = "dispute_opened"    // − disputed amount held
	DisputeWon       Kind = "dispute_won"       // + held amount released
	DisputeLost      Kind = "dispute_lost"      // 0: the hold becomes final (shown, no effect)
	AdjustmentCredit Kind = "adjustment_credit" // + manual credit
	AdjustmentDebit  Kind = "adjustment_debit"  // − manual debit
)

var signs = map[Kind]int64{
	Sale: 1, Refund: -1, Fee: -1, FeeReturned: 1, DisputeOpened: -1,
	DisputeWon: 1, DisputeLost: 0, AdjustmentCredit: 1, AdjustmentDebit: -1,
}

// Entry is one ledger entry of a merchant, attributed to the business day
// on which its event happened.
type Entry struct {
	ID     string
	Kind   Kind
	Amount money.Money
	Day    Date
}

// Batch is one merchant's open settlement batch: the entries not yet in any
// statement, the last business day already closed, the day being closed,
// and a negative balance carried from earlier statements (0 or less).
type Batch struct {
	Merchant   string
	Currency   string
	Day        Date
	LastClosed Date
	CarryIn    int64
	Entries    []Entry
}

// StatementLine is one line of a statement: the sum of the entries of one
// kind. Late is set for entries of a day already closed, which are settled
// in this batch as adjustments referring to their original Day.
type StatementLine struct {
	Kind   Kind
	Late   bool
	Day    Date
	Count  int
	Amount int64 // signed: its effect on the net
}

// Statement is a closed batch: its lines add up, with CarryIn, to Net; the
// payout is Net when positive, and a negative Net is carried to the next
// batch as CarryOut.
type Statement struct {
	Merchant string
	Day      Date
	Lines    []StatementLine
	CarryIn  int64
	Net      int64
	Payout   money.Money
	CarryOut int64
}

// Close computes the statement of b. Entries of b.Day are this day's lines;
// entries of a day on or before b.LastClosed arrived late and become
// adjustment lines (Late, with their original Day). Lines are ordered: this
// day's first, then late ones by day, each group by kind.
//
// Returns ErrInvalid if b.Day is not after b.LastClosed, an entry's day
// lies after b.Day or strictly between LastClosed and Day (an earlier open
// batch must close first), an entry has an unknown kind or another
// currency, CarryIn is positive, or an entry id repeats.
func Close(b Batch) (Statement, error) {
	if b.Day.Compare(b.LastClosed) <= 0 {
		return Statement{}, fmt.Errorf("%w: day %s is not after the last closed day %s", ErrInvalid, b.Day, b.LastClosed)
	}
	if b.CarryIn > 0 {
		return Statement{}, fmt.Errorf("%w: carry-in %d is positive", ErrInvalid, b.CarryIn)
	}
	type key struct {
		late bool
		day  Date
		kind Kind
	}
	sums := map[key]*StatementLine{}
	seen := map[string]bool{}
	net := b.CarryIn
	for _, e := range b.Entries {
		sign, ok := signs[e.Kind]
		if !ok {
			return Statement{}, fmt.Errorf("%w: entry %s: unknown kind %q", ErrInvalid, e.ID, e.Kind)
		}
		if seen[e.ID] {
			return Statement{}, fmt.Errorf("%w: entry %s appears twice", ErrInvalid, e.ID)
		}
		seen[e.ID] = true
		if err := e.Amount.Validate(); err != nil {
			return Statement{}, fmt.Errorf("%w: entry %s: %w", ErrInvalid, e.ID, err)
		}
		if e.Amount.Currency != b.Currency {
			return Statement{}, fmt.Errorf("%w: entry %s in %s, batch in %s", ErrInvalid, e.ID, e.Amount.Currency, b.Currency)
		}
		var k key
		switch {
		case e.Day == b.Day:
			k = key{false, e.Day, e.Kind}
		case e.Day.Compare(b.LastClosed) <= 0:
			k = key{true, e.Day, e.Kind}
		default:
			return Statement{}, fmt.Errorf("%w: entry %s of %s belongs to neither batch %s nor a closed day (last closed %s)", ErrInvalid, e.ID, e.Day, b.Day, b.LastClosed)
		}
		l := sums[k]
		if l == nil {
			l = &StatementLine{Kind: e.Kind, Late: k.late, Day: e.Day}
			sums[k] = l
		}
		l.Count++
		l.Amount += sign * e.Amount.Amount
		net += sign * e.Amount.Amount
	}
	lines := make([]StatementLine, 0, len(sums))
	for _, l := range sums {
		lines = append(lines, *l)
	}
	sort.Slice(lines, func(i, j int) bool {
		a, c := lines[i], lines[j]
		if a.Late != c.Late {
			return !a.Late
		}
		if d := a.Day.Compare(c.Day); d != 0 {
			return d < 0
		}
		return a.Kind < c.Kind
	})
	s := Statement{Merchant: b.Merchant, Day: b.Day, Lines: lines, CarryIn: b.CarryIn, Net: net, Payout: money.Money{Currency: b.Currency}}
	if net > 0 {
		s.Payout.Amount = net
	} else {
		s.CarryOut = net
	}
	return s, nil
}
