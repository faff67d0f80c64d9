package settlement

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/ledger"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
)

// Errors callers branch on (each a problem, so the API answers it as is).
var (
	// ErrDayOpen: the business day has not ended (plus the grace) yet.
	ErrDayOpen = problem.New(problem.Conflict, "that business day has not ended yet")
	// ErrTooFarBack: more open days than one run closes.
	ErrTooFarBack = problem.New(problem.Unprocessable, "more than 92 open business days; settle earlier days first")
)

// MaxCatchUp bounds the open days one settlement run closes for a merchant.
const MaxCatchUp = 92

// DefaultGrace is how long after a business day ends it may be settled:
// postings stamped before the end must have committed by then (a posting
// takes milliseconds, its retries seconds).
const DefaultGrace = 10 * time.Minute

// Ledger is the part of the book settlement reads and posts payouts to.
type Ledger interface {
	Book
	Statement(ctx context.Context, currency, accountID string, from, to time.Time) ([]ledger.Entry, error)
}

// MerchantDirectory reads merchants and lists them all.
type MerchantDirectory interface {
	Merchants
	Merchants(ctx context.Context) ([]catalog.Merchant, error)
}

// Settler closes merchants' business days into batches with payouts.
type Settler struct {
	Ledger    Ledger
	Store     *Store
	Merchants MerchantDirectory
	Now       func() time.Time
	// Grace after a day's end before it may be settled (DefaultGrace if 0).
	Grace time.Duration
	// Exporter writes each batch a run returns to S3 as CSV (nil: none).
	Exporter BatchExporter
}

// BatchExporter exports a closed batch's statement.
type BatchExporter interface {
	Export(ctx context.Context, b Batch) error
}

func (s *Settler) grace() time.Duration {
	if s.Grace > 0 {
		return s.Grace
	}
	return DefaultGrace
}

// calendar is a merchant's business-day clock.
type calendar struct {
	loc    *time.Location
	cutoff settle.Cutoff
}

func calendarOf(m catalog.Merchant) (calendar, error) {
	loc, err := time.LoadLocation(m.TimeZone)
	if err != nil {
		return calendar{}, fmt.Errorf("merchant %s time zone: %w", m.ID, err)
	}
	var h, mi int
	if _, err := fmt.Sscanf(m.Cutoff, "%d:%d", &h, &mi); err != nil {
		return calendar{}, fmt.Errorf("merchant %s cutoff %q: %w", m.ID, m.Cutoff, err)
	}
	c, err := settle.NewCutoff(h, mi)
	if err != nil {
		return calendar{}, err
	}
	return calendar{loc, c}, nil
}

// LatestClosable is the merchant's latest business day that may be
// settled at now.
func (s *Settler) LatestClosable(m catalog.Merchant, now time.Time) (settle.Date, error) {
	cal, err := calendarOf(m)
	if err != nil {
		return settle.Date{}, err
	}
	d := settle.BusinessDay(now.Add(-s.grace()), cal.loc, cal.cutoff).AddDays(-1)
	return d, nil
}

// Settle closes the merchant's business days up to and including day, in
// order, each into a stored batch with its payout, and returns the batches
// closed now or, for days already closed, as they were. Settling a day
// again changes nothing. A day not yet over (plus the grace) returns
// ErrDayOpen.
func (s *Settler) Settle(ctx context.Context, merchantID string, day settle.Date) ([]Batch, error) {
	return s.settle(ctx, merchantID, day, false)
}

// SettleEarly is Settle that may also close the merchant's current
// business day before it ends (an early payout): its batch takes what was
// posted until the grace ago, and the rest of the day settles in the next
// batch as late adjustments, as any late event does.
func (s *Settler) SettleEarly(ctx context.Context, merchantID string, day settle.Date) ([]Batch, error) {
	return s.settle(ctx, merchantID, day, true)
}

func (s *Settler) settle(ctx context.Context, merchantID string, day settle.Date, early bool) ([]Batch, error) {
	m, err := s.Merchants.Merchant(ctx, merchantID)
	if err != nil {
		return nil, err
	}
	cal, err := calendarOf(m)
	if err != nil {
		return nil, err
	}
	latest, _ := s.LatestClosable(m, s.Now())
	if early {
		latest = settle.BusinessDay(s.Now().Add(-s.grace()), cal.loc, cal.cutoff)
	}
	if day.Compare(latest) > 0 {
		return nil, ErrDayOpen
	}
	last, err := s.Store.Last(ctx, m.ID)
	var from time.Time
	var lastDay settle.Date
	var carry int64
	switch {
	case errors.Is(err, ErrNotFound):
		lastDay = day.AddDays(-1) // the first batch takes everything before it
	case err != nil:
		return nil, err
	default:
		if lastDay, err = settle.ParseDate(last.Day); err != nil {
			return nil, err
		}
		if day.Compare(lastDay) <= 0 {
			b, err := s.Store.Batch(ctx, m.ID, day.String(), true)
			if errors.Is(err, ErrNotFound) {
				return nil, problem.New(problem.NotFound, "no settlement for "+day.String()+": settlement of this merchant began on a later day")
			}
			return []Batch{b}, err
		}
		from, carry = last.To, last.CarryOut
	}
	if days := daysBetween(lastDay, day); days > MaxCatchUp {
		return nil, ErrTooFarBack
	}
	var out []Batch
	for d := lastDay.AddDays(1); d.Compare(day) <= 0; d = d.AddDays(1) {
		b, err := s.close(ctx, m, cal, lastDay, d, from, carry)
		if err != nil {
			return out, fmt.Errorf("settle %s %s: %w", m.ID, d, err)
		}
		out = append(out, b)
		lastDay, from, carry = d, b.To, b.CarryOut
	}
	return out, nil
}

func daysBetween(a, b settle.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 0, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 0, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Hours() / 24)
}

// close settles one day: the payable's entries posted in [from, end of
// day), each attributed to the business day its event happened on.
func (s *Settler) close(ctx context.Context, m catalog.Merchant, cal calendar, lastClosed, d settle.Date, from time.Time, carry int64) (Batch, error) {
	_, end := settle.DayBounds(d, cal.loc, cal.cutoff)
	if cut := s.Now().Add(-s.grace()); cut.Before(end) {
		end = cut // an early close: the rest of the day goes to the next batch
	}
	entries, err := s.Ledger.Statement(ctx, m.Currency, Payable(m.ID), from, end)
	if err != nil {
		return Batch{}, err
	}
	batch := settle.Batch{Merchant: m.ID, Currency: m.Currency, Day: d, LastClosed: lastClosed, CarryIn: carry}
	var ids []string
	for _, e := range entries {
		kind, ok := entryKind(e)
		if !ok {
			continue // our own payouts
		}
		at := e.Timestamp
		if !e.At.IsZero() && e.At.Before(at) {
			at = e.At
		}
		batch.Entries = append(batch.Entries, settle.Entry{ID: e.ID, Kind: kind, Amount: money.Money{Amount: e.Amount, Currency: e.Currency},
			Day: settle.BusinessDay(at, cal.loc, cal.cutoff)})
		ids = append(ids, e.ID)
	}
	st, err := settle.Close(batch)
	if err != nil {
		return Batch{}, err
	}
	b := Batch{Merchant: m.ID, Day: d.String(), Currency: m.Currency, TimeZone: m.TimeZone, Cutoff: m.Cutoff, From: from, To: end,
		CarryIn: st.CarryIn, Net: st.Net, Payout: st.Payout, CarryOut: st.CarryOut, Transfers: len(ids), TransferIDs: ids,
		ClosedAt: s.Now().UTC()}
	for _, l := range st.Lines {
		b.Lines = append(b.Lines, Line{Kind: string(l.Kind), Late: l.Late, Day: l.Day.String(), Count: l.Count, Amount: l.Amount})
		switch l.Kind {
		case settle.Sale:
			b.Gross += l.Amount
		case settle.Refund:
			b.Refunds += l.Amount
		case settle.Fee, settle.FeeReturned:
			b.Fees += l.Amount
		case settle.DisputeOpened, settle.DisputeWon, settle.DisputeLost:
			b.Disputes += l.Amount
		default:
			b.Adjustments += l.Amount
		}
	}
	if b.Lines == nil {
		b.Lines = []Line{}
	}
	// Recover what the platform advanced (refunds and chargebacks after an
	// earlier payout) before paying out.
	if st.Payout.Amount > 0 {
		id := "recover:" + m.ID + ":" + d.String()
		rec, err := s.recovery(ctx, m, id, st.Payout.Amount)
		if err != nil {
			return Batch{}, err
		}
		if rec > 0 {
			err := post(ctx, s.Ledger, []ledger.Posting{{ID: id, Transfers: []ledger.Transfer{{
				ID: id, PostingID: id, Debit: Payable(m.ID), Credit: Receivable(m.ID), Amount: rec, Currency: m.Currency,
				Code: CodeRecovery, Ref: m.ID, Day: d.String(), At: end,
			}}}})
			if err != nil {
				return Batch{}, fmt.Errorf("recovery: %w", err)
			}
			b.Recovered = rec
			st.Payout.Amount -= rec
			b.Payout = st.Payout
		}
	}
	if st.Payout.Amount > 0 {
		b.PayoutID = "po_" + m.ID + "_" + d.String()
		id := "payout:" + m.ID + ":" + d.String()
		err := post(ctx, s.Ledger, []ledger.Posting{{ID: id, Transfers: []ledger.Transfer{{
			ID: id, PostingID: id, Debit: Payable(m.ID), Credit: PayoutsInFlight, Amount: st.Payout.Amount, Currency: m.Currency,
			Code: CodePayout, Ref: b.PayoutID, Day: d.String(), At: end,
		}}}})
		if err != nil {
			return Batch{}, fmt.Errorf("payout: %w", err)
		}
	}
	return s.Store.Save(ctx, b)
}

// recovery is what a day's settlement takes back of the platform's
// advances: the amount of its recovery transfer if one was posted (a re-run
// after a crash), else the merchant's receivable balance up to the payout.
func (s *Settler) recovery(ctx context.Context, m catalog.Merchant, id string, payout int64) (int64, error) {
	t, err := s.Ledger.Transfer(ctx, id)
	if err == nil {
		return t.Amount, nil
	}
	if !errors.Is(err, ledger.ErrNotFound) {
		return 0, err
	}
	a, err := s.Ledger.Account(ctx, m.Currency, Receivable(m.ID))
	if errors.Is(err, ledger.ErrAccountNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return min(payout, a.DebitsPosted-a.CreditsPosted), nil
}

// entryKind maps a payable entry to its statement kind: by its code when
// it moves the way that kind does, as an adjustment when it moves the
// other way (a reversal); payouts are not statement lines.
func entryKind(e ledger.Entry) (settle.Kind, bool) {
	credit := e.Side == "C"
	natural := map[string]struct {
		kind   settle.Kind
		credit bool
	}{
		CodeSale: {settle.Sale, true}, CodeFee: {settle.Fee, false}, CodeRefund: {settle.Refund, false},
		CodeFeeReturned: {settle.FeeReturned, true}, CodeDisputeOpened: {settle.DisputeOpened, false},
		CodeDisputeWon: {settle.DisputeWon, true},
	}
	if e.Code == CodePayout || e.Code == CodeRecovery {
		return "", false
	}
	if n, ok := natural[e.Code]; ok && n.credit == credit {
		return n.kind, true
	}
	if credit {
		return settle.AdjustmentCredit, true
	}
	return settle.AdjustmentDebit, true
}

// Summary is what a settlement run over every merchant did.
type Summary struct {
	Day      string            `json:"date,omitempty"`
	Batches  []Batch           `json:"batches"`
	Failures []MerchantFailure `json:"failures,omitempty"`
	Skipped  []string          `json:"skipped,omitempty"`
	Payouts  map[string]int64  `json:"payouts"`
	Counts   map[string]int    `json:"counts"`
}

// MerchantFailure is one merchant a run could not settle.
type MerchantFailure struct {
	Merchant string `json:"merchantId"`
	Error    string `json:"error"`
}

// SettleAll settles every merchant up to day (or, when day is nil, up to
// each merchant's latest closable day), merchant by merchant; one
// merchant's failure does not stop the others.
func (s *Settler) SettleAll(ctx context.Context, day *settle.Date) (Summary, error) {
	return s.settleAll(ctx, day, false)
}

// SettleAllEarly is SettleAll with SettleEarly: day may be the current
// business day.
func (s *Settler) SettleAllEarly(ctx context.Context, day settle.Date) (Summary, error) {
	return s.settleAll(ctx, &day, true)
}

func (s *Settler) settleAll(ctx context.Context, day *settle.Date, early bool) (Summary, error) {
	ms, err := s.Merchants.Merchants(ctx)
	if err != nil {
		return Summary{}, err
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID })
	sum := Summary{Batches: []Batch{}, Payouts: map[string]int64{}, Counts: map[string]int{}}
	if day != nil {
		sum.Day = day.String()
	}
	for _, m := range ms {
		d := day
		if d == nil {
			latest, err := s.LatestClosable(m, s.Now())
			if err != nil {
				sum.Failures = append(sum.Failures, MerchantFailure{m.ID, err.Error()})
				continue
			}
			d = &latest
		}
		bs, err := s.settle(ctx, m.ID, *d, early)
		if errors.Is(err, ErrDayOpen) {
			sum.Skipped = append(sum.Skipped, m.ID)
			continue
		}
		if err != nil {
			sum.Failures = append(sum.Failures, MerchantFailure{m.ID, err.Error()})
		}
		for _, b := range bs {
			if s.Exporter != nil {
				if err := s.Exporter.Export(ctx, b); err != nil {
					sum.Failures = append(sum.Failures, MerchantFailure{m.ID, err.Error()})
				}
			}
			b.TransferIDs = nil
			sum.Batches = append(sum.Batches, b)
			sum.Payouts[b.Currency] += b.Payout.Amount
			sum.Counts["batches"]++
		}
	}
	return sum, nil
}
