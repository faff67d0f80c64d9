package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/jiaoyi-dev/jiaoyi/internal/ledger"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// clock ticks a millisecond per reading; safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func newLedger(t testing.TB, opts ...func(*dynamodb.Options)) (*ledger.Ledger, string) {
	t.Helper()
	table := awstest.Tables(t, resource.Ledger)[resource.Ledger.EnvVar]
	l := ledger.New(dynamodb.NewFromConfig(awstest.Config(t), opts...), table)
	c := &clock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	l.Now = c.Now
	l.SnapshotSize = 25 // the emulator's TransactGetItems limit
	return l, table
}

func mustAccount(t testing.TB, l *ledger.Ledger, kind ledger.Kind, merchant string) ledger.Account {
	t.Helper()
	a, err := ledger.NewAccount(kind, merchant, "CNY")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.CreateAccount(context.Background(), a); err != nil {
		t.Fatalf("create %s: %v", a.ID, err)
	}
	return a
}

func balances(t testing.TB, l *ledger.Ledger, id string) (int64, int64) {
	t.Helper()
	a, err := l.Account(context.Background(), "CNY", id)
	if err != nil {
		t.Fatal(err)
	}
	return a.DebitsPosted, a.CreditsPosted
}

func sale(id string, gross, fee int64) ledger.Posting {
	payable := ledger.AccountID(ledger.MerchantPayable, "m1")
	return ledger.Posting{ID: id, Transfers: []ledger.Transfer{
		{ID: id + ".gross", PostingID: id, Debit: string(ledger.ProviderClearing), Credit: payable, Amount: gross, Currency: "CNY", Code: "sale", Ref: id, Day: "2026-03-10"},
		{ID: id + ".fee", PostingID: id, Debit: payable, Credit: string(ledger.PlatformFeeRevenue), Amount: fee, Currency: "CNY", Code: "fee", Ref: id, Day: "2026-03-10"},
	}}
}

func assertBalanced(t testing.TB, l *ledger.Ledger) ledger.Balance {
	t.Helper()
	b, err := l.TrialBalance(context.Background(), "CNY")
	if err != nil {
		t.Fatal(err)
	}
	if !b.Balanced || b.Debits != b.Credits {
		t.Fatalf("trial balance: debits %d, credits %d", b.Debits, b.Credits)
	}
	return b
}

func TestAccountsAreCreatedOnce(t *testing.T) {
	ctx := context.Background()
	l, _ := newLedger(t)
	a, err := ledger.NewAccount(ledger.MerchantPayable, "m1", "CNY")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []ledger.Outcome{ledger.Created, ledger.Exists} {
		if got, err := l.CreateAccount(ctx, a); err != nil || got != want {
			t.Fatalf("create #%d = %v, %v; want %v", i, got, err, want)
		}
	}
	a.Flags = ledger.Flags{}
	if _, err := l.CreateAccount(ctx, a); !errors.Is(err, ledger.ErrExistsWithDifferent) {
		t.Errorf("create with other flags err = %v, want ErrExistsWithDifferent", err)
	}
	for name, bad := range map[string]ledger.Account{
		"kind":             {ID: "gift", Currency: "CNY", Kind: "gift"},
		"currency":         {ID: "bank", Currency: "XXX", Kind: ledger.Bank},
		"payable merchant": {ID: "merchant_payable:", Currency: "CNY", Kind: ledger.MerchantPayable},
		"id":               {ID: "other", Currency: "CNY", Kind: ledger.Bank},
	} {
		if _, err := l.CreateAccount(ctx, bad); !errors.Is(err, ledger.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestPostingMovesBalancesOnce(t *testing.T) {
	ctx := context.Background()
	l, _ := newLedger(t)
	payable := mustAccount(t, l, ledger.MerchantPayable, "m1").ID
	mustAccount(t, l, ledger.ProviderClearing, "")
	mustAccount(t, l, ledger.PlatformFeeRevenue, "")
	mustAccount(t, l, ledger.PayoutsInFlight, "")

	if got, err := l.Post(ctx, sale("o1", 10000, 300)); err != nil || got != ledger.Created {
		t.Fatalf("post = %v, %v; want created", got, err)
	}
	check := func(when string) {
		t.Helper()
		for _, tc := range []struct {
			id   string
			d, c int64
		}{{"provider_clearing", 10000, 0}, {payable, 300, 10000}, {"platform_fee_revenue", 0, 300}} {
			if d, c := balances(t, l, tc.id); d != tc.d || c != tc.c {
				t.Errorf("%s: %s debits/credits = %d/%d, want %d/%d", when, tc.id, d, c, tc.d, tc.c)
			}
		}
		assertBalanced(t, l)
	}
	check("after posting")

	t.Run("same posting again exists", func(t *testing.T) {
		if got, err := l.Post(ctx, sale("o1", 10000, 300)); err != nil || got != ledger.Exists {
			t.Errorf("repost = %v, %v; want exists", got, err)
		}
		check("after repost")
	})
	t.Run("same id other fields refused", func(t *testing.T) {
		if _, err := l.Post(ctx, sale("o1", 10000, 301)); !errors.Is(err, ledger.ErrExistsWithDifferent) {
			t.Errorf("err = %v, want ErrExistsWithDifferent", err)
		}
		check("after refused repost")
	})
	t.Run("payable may not go below zero", func(t *testing.T) {
		payout := ledger.Posting{ID: "p1", Transfers: []ledger.Transfer{{ID: "p1", PostingID: "p1", Debit: payable, Credit: "payouts_in_flight", Amount: 9701, Currency: "CNY", Day: "2026-03-10"}}}
		if _, err := l.Post(ctx, payout); !errors.Is(err, ledger.ErrExceedsCredits) {
			t.Fatalf("overdraw err = %v, want ErrExceedsCredits", err)
		}
		if _, err := l.Transfer(ctx, "p1"); !errors.Is(err, ledger.ErrNotFound) {
			t.Errorf("refused transfer read err = %v, want ErrNotFound", err)
		}
		check("after refused payout")
		payout.Transfers[0].Amount = 9700
		if _, err := l.Post(ctx, payout); err != nil {
			t.Fatalf("payout of the whole balance: %v", err)
		}
		if d, c := balances(t, l, payable); d != c {
			t.Errorf("payable %d/%d, want zero balance", d, c)
		}
		assertBalanced(t, l)
	})
	t.Run("unknown account", func(t *testing.T) {
		p := ledger.Posting{ID: "x1", Transfers: []ledger.Transfer{{ID: "x1", PostingID: "x1", Debit: "bank", Credit: "provider_clearing", Amount: 1, Currency: "CNY", Day: "2026-03-10"}}}
		if _, err := l.Post(ctx, p); !errors.Is(err, ledger.ErrAccountNotFound) {
			t.Errorf("err = %v, want ErrAccountNotFound", err)
		}
		p.Transfers[0].Currency, p.Transfers[0].Debit = "USD", "provider_clearing"
		p.Transfers[0].Credit = "platform_fee_revenue"
		if _, err := l.Post(ctx, p); !errors.Is(err, ledger.ErrAccountNotFound) {
			t.Errorf("other currency err = %v, want ErrAccountNotFound", err)
		}
	})
}

func TestReversalUndoesExactly(t *testing.T) {
	ctx := context.Background()
	l, _ := newLedger(t)
	payable := mustAccount(t, l, ledger.MerchantPayable, "m1").ID
	mustAccount(t, l, ledger.ProviderClearing, "")
	mustAccount(t, l, ledger.PlatformFeeRevenue, "")
	if _, err := l.Post(ctx, sale("o1", 5000, 150)); err != nil {
		t.Fatal(err)
	}
	for i, want := range []ledger.Outcome{ledger.Created, ledger.Exists} {
		if got, err := l.Reverse(ctx, "2026-03-11", "o1.fee", "o1.gross"); err != nil || got != want {
			t.Fatalf("reverse #%d = %v, %v; want %v", i, got, err, want)
		}
	}
	r, err := l.Transfer(ctx, "rev:o1.gross")
	if err != nil {
		t.Fatal(err)
	}
	if r.Debit != payable || r.Credit != "provider_clearing" || r.Amount != 5000 || r.PostingID != "rev:o1" {
		t.Errorf("reversal = %+v", r)
	}
	for _, id := range []string{payable, "provider_clearing", "platform_fee_revenue"} {
		if d, c := balances(t, l, id); d != c {
			t.Errorf("%s after reversal: debits %d ≠ credits %d", id, d, c)
		}
	}
	assertBalanced(t, l)
	if _, err := l.Reverse(ctx, "2026-03-11", "nope"); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("reverse unknown err = %v, want ErrNotFound", err)
	}
}

func TestStatementAndSettlementDay(t *testing.T) {
	ctx := context.Background()
	l, _ := newLedger(t)
	payable := mustAccount(t, l, ledger.MerchantPayable, "m1").ID
	mustAccount(t, l, ledger.ProviderClearing, "")
	mustAccount(t, l, ledger.PlatformFeeRevenue, "")
	from := l.Now()
	for i := range 3 {
		if _, err := l.Post(ctx, sale(fmt.Sprintf("o%d", i), 1000*int64(i+1), 10)); err != nil {
			t.Fatal(err)
		}
	}
	to := l.Now()
	entries, err := l.Statement(ctx, "CNY", payable, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 6 {
		t.Fatalf("%d entries, want 6", len(entries))
	}
	var d, c int64
	for i, e := range entries {
		if i > 0 && e.Timestamp.Before(entries[i-1].Timestamp) {
			t.Errorf("entry %d out of time order", i)
		}
		switch e.Side {
		case "D":
			d += e.Amount
		case "C":
			c += e.Amount
		default:
			t.Errorf("entry %d side %q", i, e.Side)
		}
	}
	if gd, gc := balances(t, l, payable); gd != d || gc != c {
		t.Errorf("statement sums %d/%d, account %d/%d", d, c, gd, gc)
	}
	if e, _ := l.Statement(ctx, "CNY", payable, to, to.Add(time.Hour)); len(e) != 0 {
		t.Errorf("%d entries after the window, want 0", len(e))
	}
	day, err := l.TransfersByDay(ctx, "CNY", "2026-03-10")
	if err != nil {
		t.Fatal(err)
	}
	if len(day) != 6 {
		t.Errorf("%d transfers on the day, want 6", len(day))
	}
	if other, _ := l.TransfersByDay(ctx, "CNY", "2026-03-11"); len(other) != 0 {
		t.Errorf("%d transfers on another day, want 0", len(other))
	}
}

func TestPostingSizeIsBounded(t *testing.T) {
	ctx := context.Background()
	l, _ := newLedger(t)
	// The largest posting: MaxTransfers transfers over 2×MaxTransfers
	// distinct accounts, exactly 100 items.
	p := ledger.Posting{ID: "big"}
	for i := range ledger.MaxTransfers {
		dr := ledger.Account{ID: ledger.AccountID(ledger.MerchantPayable, fmt.Sprintf("d%d", i)), Currency: "CNY", Kind: ledger.MerchantPayable, Merchant: fmt.Sprintf("d%d", i)}
		cr := ledger.Account{ID: ledger.AccountID(ledger.MerchantPayable, fmt.Sprintf("c%d", i)), Currency: "CNY", Kind: ledger.MerchantPayable, Merchant: fmt.Sprintf("c%d", i)}
		for _, a := range []ledger.Account{dr, cr} {
			if _, err := l.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		p.Transfers = append(p.Transfers, ledger.Transfer{ID: fmt.Sprintf("big.%d", i), PostingID: "big", Debit: dr.ID, Credit: cr.ID, Amount: 1, Currency: "CNY", Day: "2026-03-10"})
	}
	if _, err := l.Post(ctx, p); err != nil {
		t.Fatalf("post %d transfers: %v", ledger.MaxTransfers, err)
	}
	assertBalanced(t, l)
	p.ID = "bigger"
	p.Transfers = append(p.Transfers, p.Transfers[0])
	for i := range p.Transfers {
		p.Transfers[i].ID, p.Transfers[i].PostingID = fmt.Sprintf("bigger.%d", i), "bigger"
	}
	if _, err := l.Post(ctx, p); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("post %d transfers err = %v, want ErrInvalid", len(p.Transfers), err)
	}
}

func TestPostingRejectsMalformed(t *testing.T) {
	l, _ := newLedger(t)
	ok := sale("o1", 100, 1)
	for name, mutate := range map[string]func(*ledger.Posting){
		"empty":            func(p *ledger.Posting) { p.Transfers = nil },
		"zero amount":      func(p *ledger.Posting) { p.Transfers[0].Amount = 0 },
		"same account":     func(p *ledger.Posting) { p.Transfers[0].Credit = p.Transfers[0].Debit },
		"other posting":    func(p *ledger.Posting) { p.Transfers[1].PostingID = "o2" },
		"mixed currency":   func(p *ledger.Posting) { p.Transfers[1].Currency = "USD" },
		"duplicate id":     func(p *ledger.Posting) { p.Transfers[1].ID = p.Transfers[0].ID },
		"bad day":          func(p *ledger.Posting) { p.Transfers[0].Day = "10/03/2026" },
		"client timestamp": func(p *ledger.Posting) { p.Transfers[0].Timestamp = time.Now() },
	} {
		t.Run(name, func(t *testing.T) {
			p := ok
			p.Transfers = append([]ledger.Transfer(nil), ok.Transfers...)
			mutate(&p)
			if _, err := l.Post(context.Background(), p); !errors.Is(err, ledger.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

// conflicts makes the first n TransactWriteItems calls fail the way
// DynamoDB answers contention, which the emulator never does.
func conflicts(n int64, calls *atomic.Int64) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("inject-conflict",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if awsmw.GetOperationName(ctx) == "TransactWriteItems" && calls.Add(1) <= n {
						return middleware.InitializeOutput{}, middleware.Metadata{}, &types.TransactionCanceledException{
							Message:             aws.String("Transaction cancelled [TransactionConflict]"),
							CancellationReasons: []types.CancellationReason{{Code: aws.String("None")}, {Code: aws.String("TransactionConflict")}},
						}
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.Before)
		})
	}
}

func TestConflictsAreRetried(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int64
	clean, table := newLedger(t)
	mustAccount(t, clean, ledger.MerchantPayable, "m1")
	mustAccount(t, clean, ledger.ProviderClearing, "")
	mustAccount(t, clean, ledger.PlatformFeeRevenue, "")
	l := ledger.New(dynamodb.NewFromConfig(awstest.Config(t), conflicts(2, &calls)), table)
	if got, err := l.Post(ctx, sale("o1", 1000, 30)); err != nil || got != ledger.Created {
		t.Fatalf("post with 2 conflicts = %v, %v", got, err)
	}
	if calls.Load() != 3 {
		t.Errorf("%d transaction calls, want 3", calls.Load())
	}
	if d, _ := balances(t, l, "provider_clearing"); d != 1000 {
		t.Errorf("clearing debits %d, want 1000 (posted once)", d)
	}
	calls.Store(-1000)
	if _, err := l.Post(ctx, sale("o2", 1000, 30)); !errors.Is(err, ledger.ErrBusy) {
		t.Errorf("endless conflicts err = %v, want ErrBusy", err)
	}
	if _, err := l.Transfer(ctx, "o2.gross"); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("busy posting left a transfer: %v", err)
	}
}

// Property: random postings (sales, refunds, payouts, some refused, some
// repeated) keep Σ debits = Σ credits after every one, never let a payable
// go negative, and each account's statement sums to its totals.
func TestRandomPostingsStayBalanced(t *testing.T) {
	ctx := context.Background()
	l, _ := newLedger(t)
	merchants := []string{"m1", "m2", "m3"}
	for _, m := range merchants {
		mustAccount(t, l, ledger.MerchantPayable, m)
	}
	for _, k := range []ledger.Kind{ledger.ProviderClearing, ledger.PlatformFeeRevenue, ledger.RefundsInFlight, ledger.PayoutsInFlight} {
		mustAccount(t, l, k, "")
	}
	r := rand.New(rand.NewPCG(7, 8))
	var posted []ledger.Posting
	from := l.Now()
	for i := range 40 {
		m := ledger.AccountID(ledger.MerchantPayable, merchants[r.IntN(len(merchants))])
		id := fmt.Sprintf("p%d", i)
		amt := 1 + r.Int64N(5000)
		var p ledger.Posting
		switch r.IntN(4) {
		case 0, 1:
			p = ledger.Posting{ID: id, Transfers: []ledger.Transfer{
				{ID: id + ".g", PostingID: id, Debit: "provider_clearing", Credit: m, Amount: amt, Currency: "CNY", Day: "2026-03-10"},
				{ID: id + ".f", PostingID: id, Debit: m, Credit: "platform_fee_revenue", Amount: amt / 30, Currency: "CNY", Day: "2026-03-10"},
			}}
			if p.Transfers[1].Amount == 0 {
				p.Transfers = p.Transfers[:1]
			}
		case 2:
			p = ledger.Posting{ID: id, Transfers: []ledger.Transfer{{ID: id, PostingID: id, Debit: m, Credit: "refunds_in_flight", Amount: amt, Currency: "CNY", Day: "2026-03-10"}}}
		case 3:
			if len(posted) > 0 {
				p = posted[r.IntN(len(posted))] // a repeat
			} else {
				continue
			}
		}
		_, err := l.Post(ctx, p)
		switch {
		case err == nil:
			posted = append(posted, p)
		case errors.Is(err, ledger.ErrExceedsCredits):
		default:
			t.Fatalf("posting %s: %v", p.ID, err)
		}
		b := assertBalanced(t, l)
		for _, a := range b.Accounts {
			if a.Kind == ledger.MerchantPayable && a.DebitsPosted > a.CreditsPosted {
				t.Fatalf("payable %s below zero: %d/%d", a.ID, a.DebitsPosted, a.CreditsPosted)
			}
		}
	}
	to := l.Now()
	b := assertBalanced(t, l)
	for _, a := range b.Accounts {
		entries, err := l.Statement(ctx, "CNY", a.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		var d, c int64
		for _, e := range entries {
			if e.Side == "D" {
				d += e.Amount
			} else {
				c += e.Amount
			}
		}
		if d != a.DebitsPosted || c != a.CreditsPosted {
			t.Errorf("%s: statement %d/%d, account %d/%d", a.ID, d, c, a.DebitsPosted, a.CreditsPosted)
		}
	}
}

// Concurrent postings on the same accounts all land: ADD composes, and the
// payable's limit is judged on the committed balance.
func TestConcurrentPostingsAllLand(t *testing.T) {
	ctx := context.Background()
	l, _ := newLedger(t)
	payable := mustAccount(t, l, ledger.MerchantPayable, "m1").ID
	mustAccount(t, l, ledger.ProviderClearing, "")
	mustAccount(t, l, ledger.PlatformFeeRevenue, "")
	const workers, each = 4, 5
	errs := make(chan error, workers*each)
	for w := range workers {
		go func() {
			for i := range each {
				_, err := l.Post(ctx, sale(fmt.Sprintf("w%d-%d", w, i), 1000, 30))
				errs <- err
			}
		}()
	}
	for range workers * each {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if d, c := balances(t, l, payable); d != workers*each*30 || c != workers*each*1000 {
		t.Errorf("payable %d/%d, want %d/%d", d, c, workers*each*30, workers*each*1000)
	}
	assertBalanced(t, l)
}
