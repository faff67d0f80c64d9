package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/signature"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/stripe"
)

// SignatureHeader carries the sandbox's webhook signature.
const SignatureHeader = "Sandbox-Signature"

// ParseEvent reads a verified sandbox webhook body: the sandbox sends
// Stripe's event shapes, so Stripe's parser reads them.
func ParseEvent(provider string, body []byte) ([]payment.Event, error) {
	return stripe.ParseEvent(provider, body)
}

// Stripe's event type names, which the sandbox sends.
const (
	TypeSucceeded = "payment_intent.succeeded"
	TypeFailed    = "payment_intent.payment_failed"
	TypeCanceled  = "payment_intent.canceled"
	TypeRefunded  = "charge.refunded"
)

// EventBody returns a Stripe-shaped event of type about intent.
func EventBody(eventID, typ string, in payment.Intent, created time.Time) []byte {
	obj := map[string]any{
		"id": in.ID, "object": "payment_intent", "amount": in.Amount.Amount,
		"currency": strings.ToLower(in.Amount.Currency), "status": stripeStatus(typ),
		"metadata": map[string]string{"order_id": in.OrderID},
	}
	body, _ := json.Marshal(map[string]any{
		"id": eventID, "object": "event", "type": typ, "created": created.Unix(),
		"data": map[string]any{"object": obj},
	})
	return body
}

// RefundEventBody returns a Stripe-shaped charge.refunded event for one refund.
func RefundEventBody(eventID string, in payment.Intent, refundID string, amount int64, created time.Time) []byte {
	body, _ := json.Marshal(map[string]any{
		"id": eventID, "object": "event", "type": TypeRefunded, "created": created.Unix(),
		"data": map[string]any{"object": map[string]any{
			"id": "ch_sbx_" + in.ID, "object": "charge", "payment_intent": in.ID,
			"currency": strings.ToLower(in.Amount.Currency), "metadata": map[string]string{"order_id": in.OrderID},
			"refunds": map[string]any{"data": []any{map[string]any{
				"id": "re_sbx_" + refundID, "amount": amount, "status": "succeeded",
				"metadata": map[string]string{"refund_id": refundID},
			}}},
		}},
	})
	return body
}

func stripeStatus(typ string) string {
	switch typ {
	case TypeSucceeded:
		return "succeeded"
	case TypeCanceled:
		return "canceled"
	}
	return "requires_payment_method"
}

// NewEventID returns a fresh event id.
func NewEventID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "evt_sbx_" + hex.EncodeToString(b)
}

// Deliverer posts signed events to jiaoyi's webhook endpoint, as the
// sandbox PSP.
type Deliverer struct {
	// URL is the endpoint, e.g. http://127.0.0.1:8080/webhooks/sandbox.
	URL    string
	Secret string
	Client *http.Client
	Now    func() time.Time
}

// Deliver posts body signed now and returns the endpoint's status code.
func (d *Deliverer) Deliver(ctx context.Context, body []byte) (int, error) {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, signature.Sign(body, now(), d.Secret))
	c := d.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("sandbox: deliver webhook: %w", err)
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
