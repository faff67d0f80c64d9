package order

import (
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
)

// handedOverOrder is a paid order of 1000 that went through path (each
// status a history entry an hour apart, the last one current).
func handedOverOrder(t *testing.T, path ...Status) *Order {
	t.Helper()
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	o := &Order{ID: "ord_1", Status: PendingPayment, Total: money.Money{Amount: 1000, Currency: "CNY"},
		Refunded: money.Money{Currency: "CNY"}, RefundPending: money.Money{Currency: "CNY"}}
	for _, s := range path {
		at = at.Add(time.Hour)
		if err := o.Transition(s, at, "test"); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

// refund reserves amount on o and settles it as succeeded, returning it.
func refund(t *testing.T, o *Order, amount int64) *Refund {
	t.Helper()
	if err := o.ReserveRefund(money.Money{Amount: amount, Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}
	r := &Refund{ID: "ref_" + string(rune('a'+len(o.History))), Amount: money.Money{Amount: amount, Currency: "CNY"}, Status: RefundPending}
	if err := o.SettleRefund(r, RefundSucceeded, time.Now()); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRefundsMoveTheStatusByWhatTheShopperKeeps(t *testing.T) {
	tests := []struct {
		name    string
		path    []Status
		refunds []int64
		fail    int // index of a succeeded refund later reported failed, -1 for none
		want    Status
	}{
		{"part of a paid order: still to fulfil", []Status{Paid}, []int64{300}, -1, Paid},
		{"part of a shipped order", []Status{Paid, Shipped}, []int64{300}, -1, Shipped},
		{"part of a delivered order", []Status{Paid, Shipped, Delivered}, []int64{300}, -1, PartiallyRefunded},
		{"part of a picked-up order", []Status{Paid, ReadyForPickup, PickedUp}, []int64{300}, -1, PartiallyRefunded},
		{"part of a completed order (goodwill)", []Status{Paid, Shipped, Delivered, Completed}, []int64{1}, -1, PartiallyRefunded},
		{"the rest after a part", []Status{Paid, Shipped, Delivered}, []int64{300, 700}, -1, Refunded},
		{"all of a delivered order", []Status{Paid, Shipped, Delivered}, []int64{1000}, -1, Refunded},
		{"the only part fails after succeeding", []Status{Paid, Shipped, Delivered}, []int64{300}, 0, Delivered},
		{"one of two parts fails", []Status{Paid, Shipped, Delivered}, []int64{300, 200}, 1, PartiallyRefunded},
		{"the second of a full refund fails", []Status{Paid, ReadyForPickup, PickedUp}, []int64{300, 700}, 1, PartiallyRefunded},
		{"a full refund of a paid order fails", []Status{Paid}, []int64{1000}, 0, Paid},
		{"a full refund of a completed order fails", []Status{Paid, Shipped, Delivered, Completed}, []int64{1000}, 0, Completed},
		{"the owed refund of an expired order fails", []Status{Expired}, nil, -1, Paid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := handedOverOrder(t, tt.path...)
			if tt.refunds == nil { // an owed refund, confirmed then failed
				if err := o.ReserveOwedRefund(); err != nil {
					t.Fatal(err)
				}
				r := &Refund{ID: "ref_owed", Amount: o.Total, Status: RefundPending}
				if err := o.SettleRefund(r, RefundSucceeded, time.Now()); err != nil || o.Status != Refunded {
					t.Fatalf("owed refund: %v, %s", err, o.Status)
				}
				if err := o.SettleRefund(r, RefundFailed, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			var rs []*Refund
			for _, a := range tt.refunds {
				rs = append(rs, refund(t, o, a))
			}
			if tt.fail >= 0 {
				if err := o.SettleRefund(rs[tt.fail], RefundFailed, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			if o.Status != tt.want {
				t.Errorf("status = %s, want %s (history %v)", o.Status, tt.want, o.History)
			}
		})
	}
}

func TestCompleteClosesTheReturnWindow(t *testing.T) {
	const window = 7 * 24 * time.Hour
	tests := []struct {
		name     string
		path     []Status
		refunded int64
		after    time.Duration // after the handover
		changed  bool
		want     Status
	}{
		{"delivered, window open", []Status{Paid, Shipped, Delivered}, 0, window - time.Minute, false, Delivered},
		{"delivered, window closed", []Status{Paid, Shipped, Delivered}, 0, window, true, Completed},
		{"picked up, window closed", []Status{Paid, ReadyForPickup, PickedUp}, 0, window + time.Hour, true, Completed},
		{"part refunded before delivery", []Status{Paid, Shipped, Delivered}, 300, window, true, PartiallyRefunded},
		{"already partially refunded", []Status{Paid, Shipped, Delivered, PartiallyRefunded}, 300, window, false, PartiallyRefunded},
		{"refunded", []Status{Paid, Shipped, Delivered, Refunded}, 1000, window, false, Refunded},
		{"not handed over", []Status{Paid, Shipped}, 0, 30 * window, false, Shipped},
		{"already completed", []Status{Paid, Shipped, Delivered, Completed}, 0, 2 * window, false, Completed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := handedOverOrder(t, tt.path...)
			o.Refunded.Amount = tt.refunded
			changed, err := o.Complete(o.HandedOverAt().Add(tt.after), window)
			if err != nil || changed != tt.changed || o.Status != tt.want {
				t.Errorf("Complete = %v, %v; status %s; want %v, %s", changed, err, o.Status, tt.changed, tt.want)
			}
		})
	}
}

func TestHandedOverAtIgnoresARestoredStatus(t *testing.T) {
	o := handedOverOrder(t, Paid, Shipped, Delivered)
	first := o.HandedOverAt()
	r := refund(t, o, 1000)
	if err := o.SettleRefund(r, RefundFailed, first.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if o.Status != Delivered || !o.HandedOverAt().Equal(first) {
		t.Errorf("status %s, handed over %v; want DELIVERED at %v", o.Status, o.HandedOverAt(), first)
	}
}

func TestPartiallyRefundedOrdersTakeReturnsInTheWindow(t *testing.T) {
	o := handedOverOrder(t, Paid, Shipped, Delivered)
	o.Lines = []Line{{SKUID: "sku_a", Quantity: 2, UnitPrice: money.Money{Amount: 500, Currency: "CNY"}, Total: money.Money{Amount: 1000, Currency: "CNY"}}}
	refund(t, o, 500)
	if o.Status != PartiallyRefunded {
		t.Fatalf("status %s", o.Status)
	}
	if _, err := o.RequestReturn("ret_1", []ReturnLine{{SKUID: "sku_a", Quantity: 1}}, "too big", o.HandedOverAt().Add(time.Hour), 7*24*time.Hour); err != nil {
		t.Errorf("return from PARTIALLY_REFUNDED in the window: %v", err)
	}
}
