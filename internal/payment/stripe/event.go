package stripe

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// SignatureHeader carries Stripe's webhook signature.
const SignatureHeader = "Stripe-Signature"

// APIVersion is the Stripe API version whose event shapes ParseEvent reads
// (the account's webhook endpoint is pinned to it).
const APIVersion = "2024-06-20"

// event is the envelope Stripe sends, which the sandbox copies.
type event struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Type    string `json:"type"`
	Created int64  `json:"created"`
	Data    struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

type paymentIntent struct {
	ID               string            `json:"id"`
	Amount           int64             `json:"amount"`
	AmountReceived   int64             `json:"amount_received"`
	Currency         string            `json:"currency"`
	Metadata         map[string]string `json:"metadata"`
	LastPaymentError *struct {
		Code        string `json:"code"`
		DeclineCode string `json:"decline_code"`
		Type        string `json:"type"`
	} `json:"last_payment_error"`
}

// refund is a Refund object (refund.* and charge.refund.updated events).
type refund struct {
	ID            string            `json:"id"`
	Object        string            `json:"object"`
	Amount        int64             `json:"amount"`
	Currency      string            `json:"currency"`
	Status        string            `json:"status"`
	PaymentIntent string            `json:"payment_intent"`
	Metadata      map[string]string `json:"metadata"`
}

// charge is a Charge object. Since API version 2022-11-15 charge.refunded
// no longer lists the refunds: each one arrives as its own refund event.
type charge struct {
	PaymentIntent string            `json:"payment_intent"`
	Currency      string            `json:"currency"`
	Metadata      map[string]string `json:"metadata"`
	Refunds       *struct {
		Data []refund `json:"data"`
	} `json:"refunds"`
}

// dispute is a Dispute object (charge.dispute.* events).
type dispute struct {
	ID            string `json:"id"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	Status        string `json:"status"`
	PaymentIntent string `json:"payment_intent"`
}

var intentEvents = map[string]payment.EventType{
	"payment_intent.succeeded":      payment.EventSucceeded,
	"payment_intent.payment_failed": payment.EventFailed,
	"payment_intent.canceled":       payment.EventCanceled,
}

// refundEvents carry a Refund object.
var refundEvents = map[string]bool{
	"charge.refund.updated": true, "refund.created": true, "refund.updated": true, "refund.failed": true,
}

// finalFailures are decline codes no other card fixes in this order
// (fraud suspicion, a stolen card): the order ends. Other declines
// (insufficient funds, a wrong CVC, an expired card) leave it payable.
var finalFailures = map[string]bool{
	"fraudulent": true, "stolen_card": true, "lost_card": true, "pickup_card": true, "merchant_blacklist": true,
}

// ErrMalformedEvent is a verified body that is not an event we can read.
var ErrMalformedEvent = problem.New(problem.Invalid, "the event could not be read")

// ParseEvent reads a verified event body of the pinned API version into
// normalised events. Types the saga does not use return no events and no
// error (they are acknowledged and dropped). Refunds and disputes name
// their payment intent; their order is found from it by the consumer when
// their object does not carry it (a refund made in Stripe's dashboard).
func ParseEvent(provider string, body []byte) ([]payment.Event, error) {
	var e event
	if err := json.Unmarshal(body, &e); err != nil || e.ID == "" || e.Type == "" {
		return nil, ErrMalformedEvent
	}
	created := time.Unix(e.Created, 0).UTC()
	base := payment.Event{Provider: provider, ID: e.ID, Created: created}
	switch {
	case intentEvents[e.Type] != "":
		var in paymentIntent
		if err := json.Unmarshal(e.Data.Object, &in); err != nil || in.ID == "" {
			return nil, ErrMalformedEvent
		}
		amount := in.Amount
		if e.Type == "payment_intent.succeeded" && in.AmountReceived > 0 {
			amount = in.AmountReceived // what was captured, checked against the order
		}
		m, err := fromStripe(amount, in.Currency)
		if err != nil {
			return nil, err
		}
		ev := base
		ev.Type, ev.IntentID, ev.OrderID, ev.Amount = intentEvents[e.Type], in.ID, in.Metadata["order_id"], m
		if ev.Type == payment.EventFailed && in.LastPaymentError != nil {
			code := in.LastPaymentError.DeclineCode
			if code == "" {
				code = in.LastPaymentError.Code
			}
			ev.DeclineCode = code
			ev.Retryable = in.LastPaymentError.Type == "card_error" && !finalFailures[code]
		}
		return []payment.Event{ev}, nil
	case refundEvents[e.Type]:
		var r refund
		if err := json.Unmarshal(e.Data.Object, &r); err != nil || r.ID == "" || r.PaymentIntent == "" {
			return nil, ErrMalformedEvent
		}
		ev, err := refundEvent(base, r, r.Currency, "")
		if err != nil {
			return nil, err
		}
		return []payment.Event{ev}, nil
	case e.Type == "charge.refunded":
		var ch charge
		if err := json.Unmarshal(e.Data.Object, &ch); err != nil || ch.PaymentIntent == "" {
			return nil, ErrMalformedEvent
		}
		if ch.Refunds == nil {
			return nil, nil // the current shape: each refund comes as its own event
		}
		var out []payment.Event
		for _, r := range ch.Refunds.Data {
			r.PaymentIntent = ch.PaymentIntent
			ev, err := refundEvent(base, r, ch.Currency, ch.Metadata["order_id"])
			if err != nil {
				return nil, err
			}
			ev.ID = e.ID + ":" + r.ID
			out = append(out, ev)
		}
		return out, nil
	case e.Type == "charge.dispute.created" || e.Type == "charge.dispute.closed":
		var d dispute
		if err := json.Unmarshal(e.Data.Object, &d); err != nil || d.ID == "" || d.PaymentIntent == "" {
			return nil, ErrMalformedEvent
		}
		m, err := fromStripe(d.Amount, d.Currency)
		if err != nil {
			return nil, err
		}
		ev := base
		ev.Type, ev.IntentID, ev.Amount, ev.DisputeID, ev.DisputeStatus = payment.EventDisputeOpened, d.PaymentIntent, m, d.ID, d.Status
		if e.Type == "charge.dispute.closed" {
			ev.Type = payment.EventDisputeClosed
		}
		return []payment.Event{ev}, nil
	}
	return nil, nil
}

func refundEvent(base payment.Event, r refund, currency, orderID string) (payment.Event, error) {
	if r.Currency != "" {
		currency = r.Currency
	}
	m, err := fromStripe(r.Amount, currency)
	if err != nil {
		return payment.Event{}, err
	}
	ev := base
	ev.Type, ev.IntentID, ev.Amount = payment.EventRefund, r.PaymentIntent, m
	ev.RefundID, ev.ProviderRefundID, ev.RefundStatus = r.Metadata["refund_id"], r.ID, r.Status
	ev.OrderID = orderID
	if ev.OrderID == "" {
		ev.OrderID = r.Metadata["order_id"]
	}
	return ev, nil
}

// fromStripe turns Stripe's lower-case currency and minor units into Money.
func fromStripe(amount int64, currency string) (money.Money, error) {
	m := money.Money{Amount: amount, Currency: strings.ToUpper(currency)}
	if err := m.Validate(); err != nil {
		return money.Money{}, problem.New(problem.Invalid, fmt.Sprintf("the event's amount is not valid: %v", err))
	}
	return m, nil
}
