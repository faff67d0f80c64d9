package order

import (
	"fmt"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// ReturnStatus is where an after-sales return stands.
type ReturnStatus string

// Return statuses: a shopper requests, the merchant approves (which
// refunds the lines) or rejects, and approved goods are received back.
const (
	ReturnRequested ReturnStatus = "REQUESTED"
	ReturnApproved  ReturnStatus = "APPROVED"
	ReturnRejected  ReturnStatus = "REJECTED"
	ReturnReceived  ReturnStatus = "RECEIVED"
)

var returnTransitions = map[ReturnStatus][]ReturnStatus{
	ReturnRequested: {ReturnApproved, ReturnRejected},
	ReturnApproved:  {ReturnReceived},
}

// CanReturnTransition reports whether a return may move from one status to another.
func CanReturnTransition(from, to ReturnStatus) bool {
	for _, s := range returnTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// ReturnStatuses lists every return status.
func ReturnStatuses() []ReturnStatus {
	return []ReturnStatus{ReturnRequested, ReturnApproved, ReturnRejected, ReturnReceived}
}

// ReturnLine is units of one order line a shopper sends back.
type ReturnLine struct {
	SKUID    string      `json:"skuId" dynamodbav:"skuId"`
	Quantity int64       `json:"quantity" dynamodbav:"quantity"`
	Amount   money.Money `json:"amount" dynamodbav:"amount"`
}

// Return is an after-sales request to send goods back for a refund.
type Return struct {
	ID     string       `json:"id" dynamodbav:"id"`
	Status ReturnStatus `json:"status" dynamodbav:"status"`
	Lines  []ReturnLine `json:"lines" dynamodbav:"lines"`
	Reason string       `json:"reason" dynamodbav:"reason"`
	// Amount is what approval refunds: the lines' value, at most what is
	// still refundable then.
	Amount money.Money `json:"amount" dynamodbav:"amount"`
	// RefundID is the refund approval made.
	RefundID string `json:"refundId,omitempty" dynamodbav:"refundId,omitempty"`
	// Note is the merchant's word on a decision.
	Note string `json:"note,omitempty" dynamodbav:"note,omitempty"`
	// Resellable says whether received goods went back to stock.
	Resellable  *bool     `json:"resellable,omitempty" dynamodbav:"resellable,omitempty"`
	RequestedAt time.Time `json:"requestedAt" dynamodbav:"requestedAt"`
	DecidedAt   time.Time `json:"decidedAt,omitzero" dynamodbav:"decidedAt,omitempty"`
	ReceivedAt  time.Time `json:"receivedAt,omitzero" dynamodbav:"receivedAt,omitempty"`
}

// Errors of returns.
var (
	// ErrNotReturnable: the order has not reached the shopper (or was
	// refunded in full).
	ErrNotReturnable = problem.New(problem.Conflict, "only delivered or picked-up orders can be returned")
	// ErrReturnWindow: the return window has closed.
	ErrReturnWindow = problem.New(problem.Conflict, "the return window has closed")
	// ErrReturnTooMany: more units than were bought and not yet returned.
	ErrReturnTooMany = problem.New(problem.Unprocessable, "more units than were bought and not already returned")
	// ErrReturnNotFound: no such return (of this merchant).
	ErrReturnNotFound = problem.New(problem.NotFound, "return not found")
	// ErrReturnState: the return is not in a state that allows this.
	ErrReturnState = problem.New(problem.Conflict, "the return does not allow this now")
)

// HandedOverAt is when the order reached the shopper (delivered or picked
// up), from its history; zero if it has not.
// The first handover counts: a status restored after a failed refund does
// not reopen the return window.
func (o Order) HandedOverAt() time.Time {
	for _, c := range o.History {
		if c.Status == Delivered || c.Status == PickedUp {
			return c.At
		}
	}
	return time.Time{}
}

// Complete closes the return window of an order in the shopper's hands: a
// delivered or picked-up order becomes COMPLETED, or PARTIALLY_REFUNDED if
// part of it was refunded before. It returns false, changing nothing, for
// an order that is already closed, refunded, or not handed over, and for
// one whose window (measured from HandedOverAt) is still open at now.
func (o *Order) Complete(now time.Time, window time.Duration) (bool, error) {
	handed := o.HandedOverAt()
	if handed.IsZero() || (o.Status != Delivered && o.Status != PickedUp) || now.Before(handed.Add(window)) {
		return false, nil
	}
	to, why := Completed, "return window closed"
	if o.Refunded.Amount > 0 {
		to, why = PartiallyRefunded, "return window closed with part refunded"
	}
	return true, o.Transition(to, now, why)
}

// ReturnByID returns the order's return of id.
func (o *Order) ReturnByID(id string) (*Return, bool) {
	for i := range o.Returns {
		if o.Returns[i].ID == id {
			return &o.Returns[i], true
		}
	}
	return nil, false
}

// RequestReturn records a shopper's return of units of the order's lines
// within window of its handover: at most each line's units not already in
// a return that was not rejected. Lines name SKUs; a SKU twice adds up.
func (o *Order) RequestReturn(id string, lines []ReturnLine, reason string, now time.Time, window time.Duration) (Return, error) {
	handed := o.HandedOverAt()
	if handed.IsZero() || (o.Status != Delivered && o.Status != PickedUp && o.Status != PartiallyRefunded) {
		return Return{}, ErrNotReturnable.With(map[string]any{"orderStatus": o.Status})
	}
	if now.After(handed.Add(window)) {
		return Return{}, ErrReturnWindow.With(map[string]any{"handedOverAt": handed, "windowDays": int(window.Hours() / 24)})
	}
	want := map[string]int64{}
	var order []string
	for i, l := range lines {
		if l.Quantity < 1 || l.Quantity > 10000 {
			return Return{}, problem.Field(fmt.Sprintf("lines[%d].quantity", i), "quantity must be from 1 to 10000")
		}
		if want[l.SKUID] == 0 {
			order = append(order, l.SKUID)
		}
		want[l.SKUID] += l.Quantity
	}
	r := Return{ID: id, Status: ReturnRequested, Reason: reason, RequestedAt: now, Amount: money.Money{Currency: o.Total.Currency}}
	for _, sku := range order {
		idx := -1
		for i, l := range o.Lines {
			if l.SKUID == sku {
				idx = i
			}
		}
		if idx < 0 {
			return Return{}, problem.Field("lines", "the order has no line of SKU "+sku)
		}
		l := &o.Lines[idx]
		if left := l.Quantity - l.Returned; want[sku] > left {
			return Return{}, ErrReturnTooMany.With(map[string]any{"skuId": sku, "bought": l.Quantity, "alreadyReturned": l.Returned})
		}
		amount := money.Money{Amount: l.UnitPrice.Amount * want[sku], Currency: l.UnitPrice.Currency}
		r.Lines = append(r.Lines, ReturnLine{SKUID: sku, Quantity: want[sku], Amount: amount})
		r.Amount.Amount += amount.Amount
		l.Returned += want[sku]
	}
	o.Returns = append(o.Returns, r)
	return r, nil
}

// DecideReturn approves or rejects a requested return. Approval fixes the
// amount to refund (at most what is refundable now) and the refund's id;
// rejection gives the units back to what may still be returned. Deciding
// the same way again returns ErrUnchanged-like nil with changed false.
func (o *Order) DecideReturn(id string, approve bool, refundID, note string, now time.Time) (Return, bool, error) {
	r, ok := o.ReturnByID(id)
	if !ok {
		return Return{}, false, ErrReturnNotFound
	}
	to := ReturnRejected
	if approve {
		to = ReturnApproved
	}
	if r.Status == to || (approve && r.Status == ReturnReceived) {
		return *r, false, nil
	}
	if !CanReturnTransition(r.Status, to) {
		return Return{}, false, ErrReturnState.With(map[string]any{"returnStatus": r.Status})
	}
	r.Status, r.Note, r.DecidedAt = to, note, now
	if approve {
		r.RefundID = refundID
		r.Amount.Amount = min(r.Amount.Amount, o.Refundable().Amount)
	} else {
		for _, rl := range r.Lines {
			for i := range o.Lines {
				if o.Lines[i].SKUID == rl.SKUID {
					o.Lines[i].Returned -= rl.Quantity
				}
			}
		}
	}
	return *r, true, nil
}

// ReceiveReturn records approved goods arriving back; resellable says
// whether they go back to stock. Receiving again changes nothing.
func (o *Order) ReceiveReturn(id string, resellable bool, now time.Time) (Return, bool, error) {
	r, ok := o.ReturnByID(id)
	if !ok {
		return Return{}, false, ErrReturnNotFound
	}
	if r.Status == ReturnReceived {
		return *r, false, nil
	}
	if !CanReturnTransition(r.Status, ReturnReceived) {
		return Return{}, false, ErrReturnState.With(map[string]any{"returnStatus": r.Status})
	}
	r.Status, r.ReceivedAt, r.Resellable = ReturnReceived, now, &resellable
	return *r, true, nil
}
