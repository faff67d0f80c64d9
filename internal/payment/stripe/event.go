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

// stripeEvent is the envelope Stripe sends, which the sandbox copies.
type stripeEvent struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Type    string `json:"type"`
	Created int64  `json:"created"`
	Data    struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

type stripeIntent struct {
	ID       string            `json:"id"`
	Amount   int64             `json:"amount"`
	Currency string            `json:"currency"`
	Metadata map[string]string `json:"metadata"`
}

type stripeCharge struct {
	PaymentIntent string            `json:"payment_intent"`
	Currency      string            `json:"currency"`
	Metadata      map[string]string `json:"metadata"`
	Refunds       struct {
		Data []struct {
			ID       string            `json:"id"`
			Amount   int64             `json:"amount"`
			Status   string            `json:"status"`
			Metadata map[string]string `json:"metadata"`
		} `json:"data"`
	} `json:"refunds"`
}

var intentEvents = map[string]payment.EventType{
	"payment_intent.succeeded":      payment.EventSucceeded,
	"payment_intent.payment_failed": payment.EventFailed,
	"payment_intent.canceled":       payment.EventCanceled,
}

// ErrMalformedEvent is a verified body that is not an event we can read.
var ErrMalformedEvent = problem.New(problem.Invalid, "the event could not be read")

// ParseEvent reads a verified Stripe-shaped event body into normalised events.
// Types the saga does not use return no events and no error (they are
// acknowledged and dropped). A charge.refunded event yields one event per
// refund it lists.
func ParseEvent(provider string, body []byte) ([]payment.Event, error) {
	var e stripeEvent
	if err := json.Unmarshal(body, &e); err != nil || e.ID == "" || e.Type == "" {
		return nil, ErrMalformedEvent
	}
	created := time.Unix(e.Created, 0).UTC()
	if t, ok := intentEvents[e.Type]; ok {
		var in stripeIntent
		if err := json.Unmarshal(e.Data.Object, &in); err != nil || in.ID == "" {
			return nil, ErrMalformedEvent
		}
		amount, err := fromStripe(in.Amount, in.Currency)
		if err != nil {
			return nil, err
		}
		return []payment.Event{{
			Provider: provider, ID: e.ID, Type: t, IntentID: in.ID, OrderID: in.Metadata["order_id"],
			Amount: amount, Created: created,
		}}, nil
	}
	if e.Type == "charge.refunded" || e.Type == "charge.refund.updated" {
		var ch stripeCharge
		if err := json.Unmarshal(e.Data.Object, &ch); err != nil || ch.PaymentIntent == "" {
			return nil, ErrMalformedEvent
		}
		var out []payment.Event
		for _, r := range ch.Refunds.Data {
			amount, err := fromStripe(r.Amount, ch.Currency)
			if err != nil {
				return nil, err
			}
			out = append(out, payment.Event{
				Provider: provider, ID: e.ID + ":" + r.ID, Type: payment.EventRefund, IntentID: ch.PaymentIntent,
				OrderID: ch.Metadata["order_id"], Amount: amount, Created: created,
				RefundID: r.Metadata["refund_id"], RefundStatus: r.Status,
			})
		}
		return out, nil
	}
	return nil, nil
}

// fromStripe turns Stripe's lower-case currency and minor units into Money.
func fromStripe(amount int64, currency string) (money.Money, error) {
	m := money.Money{Amount: amount, Currency: strings.ToUpper(currency)}
	if err := m.Validate(); err != nil {
		return money.Money{}, problem.New(problem.Invalid, fmt.Sprintf("the event's amount is not valid: %v", err))
	}
	return m, nil
}
