package settlement_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/ledger"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
	"github.com/jiaoyi-dev/jiaoyi/internal/settlement"
)

// crashingBook is the ledger with a process that dies now and then around
// a posting: before it is sent, or after it committed but before anyone
// heard (the consumer's message is then delivered again).
type crashingBook struct {
	settlement.Book
	rng *rand.Rand
}

var errCrash = errors.New("crashed")

func (b *crashingBook) Post(ctx context.Context, p ledger.Posting) (ledger.Outcome, error) {
	switch n := b.rng.IntN(10); {
	case n == 0:
		return 0, errCrash
	case n == 1:
		if _, err := b.Book.Post(ctx, p); err != nil {
			return 0, err
		}
		return 0, errCrash
	}
	return b.Book.Post(ctx, p)
}

// Random days of paid orders, partial refunds (some failing after they
// succeeded), late payments returned, disputes won, lost or left open,
// shuffled, redelivered and interrupted by crashes around postings: after
// every step the book balances and no payable is below zero; at the end
// every paid order's money is in exactly one place (with the merchants or
// the platform's fee, refunded, or disputed), and the day's settlement
// recovers what the platform advanced and pays out the rest of what the
// merchants' payables held, its lines adding up to its net.
func TestPropertyMoneyIsInExactlyOnePlace(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			ctx := context.Background()
			r := newRig(t)
			rng := rand.New(rand.NewPCG(seed, 99))
			poster := *r.poster
			poster.Book = &crashingBook{Book: r.book, rng: rng}
			at := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
			r.clock.Set(at)
			var evs []outbox.Event
			var sold, refunded, held, lost int64
			for i := range 8 {
				id := fmt.Sprintf("ord_q%d_%d", seed, i)
				switch kind := rng.IntN(4); kind {
				case 0: // a payment after the order ended: returned whole
					rid := "rfd_late_" + id
					evs = append(evs, event(t, "evt_late_"+rid, checkout.TypeRefundSucceeded, at, checkout.RefundChanged{OrderID: id, RefundID: rid,
						Amount: cny(30000), Refunded: cny(30000), Total: cny(30000), Lines: lines(), Origin: order.RefundLatePayment, Provider: "sandbox"}))
				case 1: // a dispute, closed won or lost, or still open
					evs = append(evs, paid(t, id, at))
					sold += 30000
					d := checkout.Dispute{OrderID: id, DisputeID: "dp_" + id, Amount: cny(30000), Total: cny(30000), Lines: lines()}
					evs = append(evs, event(t, "evt_dpo_"+id, checkout.TypeDisputeOpened, at, d))
					switch rng.IntN(3) {
					case 0:
						held += 30000
					case 1:
						d.Status = "won"
						evs = append(evs, event(t, "evt_dpc_"+id, checkout.TypeDisputeClosed, at, d))
					case 2:
						d.Status = "lost"
						evs = append(evs, event(t, "evt_dpc_"+id, checkout.TypeDisputeClosed, at, d))
						lost += 30000
					}
				default: // partial refunds, one perhaps failing after it succeeded
					evs = append(evs, paid(t, id, at))
					sold += 30000
					var cum int64
					for j := range 1 + rng.IntN(3) {
						amt := 1 + rng.Int64N(30000-cum)/2
						cum += amt
						rid := fmt.Sprintf("rfd_%s_%d", id, j)
						rc := checkout.RefundChanged{OrderID: id, RefundID: rid, Amount: cny(amt), Refunded: cny(cum), Total: cny(30000),
							Lines: lines(), Origin: order.RefundRequested, Provider: "sandbox"}
						evs = append(evs, event(t, "evt_rs_"+rid, checkout.TypeRefundSucceeded, at.Add(time.Minute), rc))
						if j == 0 && rng.IntN(3) == 0 {
							evs = append(evs, event(t, "evt_rf_"+rid, checkout.TypeRefundFailed, at.Add(2*time.Minute), rc))
						} else {
							refunded += amt
						}
					}
				}
			}
			rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
			evs = append(evs, evs[:len(evs)/3]...) // redeliveries
			pending := evs
			for round := 0; len(pending) > 0 && round < 40; round++ {
				var retry []outbox.Event
				for _, e := range pending {
					err := poster.Apply(ctx, e)
					switch {
					case errors.Is(err, settlement.ErrNotReady), errors.Is(err, errCrash):
						retry = append(retry, e) // the queue delivers it again
					case err != nil:
						t.Fatalf("apply %s: %v", e.ID, err)
					}
					balanced(t, r)
				}
				pending = retry
			}
			if len(pending) > 0 {
				t.Fatalf("%d events never applied", len(pending))
			}
			var merchants int64
			for _, m := range []string{tea, books} {
				merchants += balance(t, r, settlement.Payable(m)) + balance(t, r, settlement.Receivable(m))
			}
			fees := balance(t, r, settlement.FeeRevenue)
			if got, want := merchants+fees, sold-refunded-held-lost; got != want {
				t.Errorf("merchants %d + fees %d = %d, want sold %d − refunded %d − disputed %d − lost %d = %d",
					merchants, fees, got, sold, refunded, held, lost, want)
			}
			if got := balance(t, r, settlement.Disputes); got != held {
				t.Errorf("disputes hold %d, want the open ones' %d", got, held)
			}
			if got := balance(t, r, settlement.RefundsInFlight); got != 0 {
				t.Errorf("refunds in flight %d after every late payment went back", got)
			}
			// Settle the day: each merchant's payout is what its payable held.
			before := map[string]int64{tea: balance(t, r, settlement.Payable(tea)), books: balance(t, r, settlement.Payable(books))}
			r.clock.Set(time.Date(2026, 11, 24, 21, 0, 0, 0, time.UTC))
			day := settle.Date{Year: 2026, Month: 11, Day: 24}
			sum, err := r.settler.SettleAll(ctx, &day)
			if err != nil || len(sum.Failures) > 0 {
				t.Fatalf("settle: %v %+v", err, sum.Failures)
			}
			for _, b := range sum.Batches {
				var lines int64
				for _, l := range b.Lines {
					lines += l.Amount
				}
				if lines+b.CarryIn != b.Net {
					t.Errorf("%s: lines add to %d, net %d", b.Merchant, lines, b.Net)
				}
				// What the platform advanced comes back first; the rest is paid out.
				if b.Payout.Amount+b.Recovered != before[b.Merchant] {
					t.Errorf("%s: payout %d + recovered %d, its payable held %d", b.Merchant, b.Payout.Amount, b.Recovered, before[b.Merchant])
				}
				if got := balance(t, r, settlement.Payable(b.Merchant)); got != 0 {
					t.Errorf("%s: payable %d after the payout", b.Merchant, got)
				}
			}
			balanced(t, r)
		})
	}
}
