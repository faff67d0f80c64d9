package stripe

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
)

func TestParse(t *testing.T) {
	intent := func(typ string) string {
		return `{"id":"evt_1","object":"event","type":"` + typ + `","created":1795574400,"data":{"object":{"id":"pi_1","object":"payment_intent","amount":12800,"currency":"cny","status":"x","metadata":{"order_id":"ord_1"}}}}`
	}
	tests := []struct {
		name     string
		body     string
		want     []payment.Event
		wantErr  error
		wantNone bool
	}{
		{"succeeded", intent("payment_intent.succeeded"), []payment.Event{{Type: payment.EventSucceeded, ID: "evt_1", IntentID: "pi_1", OrderID: "ord_1"}}, nil, false},
		{"payment failed", intent("payment_intent.payment_failed"), []payment.Event{{Type: payment.EventFailed, ID: "evt_1", IntentID: "pi_1", OrderID: "ord_1"}}, nil, false},
		{"canceled", intent("payment_intent.canceled"), []payment.Event{{Type: payment.EventCanceled, ID: "evt_1", IntentID: "pi_1", OrderID: "ord_1"}}, nil, false},
		{"refunded", `{"id":"evt_2","type":"charge.refunded","created":1,"data":{"object":{"object":"charge","payment_intent":"pi_1","currency":"cny","metadata":{"order_id":"ord_1"},"refunds":{"data":[{"id":"re_1","amount":100,"status":"succeeded","metadata":{"refund_id":"rfd_1"}}]}}}}`,
			[]payment.Event{{Type: payment.EventRefund, ID: "evt_2:re_1", IntentID: "pi_1", OrderID: "ord_1", RefundID: "rfd_1", RefundStatus: "succeeded"}}, nil, false},
		{"unused type", `{"id":"evt_3","type":"customer.created","data":{"object":{}}}`, nil, nil, true},
		{"not json", `nope`, nil, ErrMalformedEvent, false},
		{"no id", `{"type":"payment_intent.succeeded"}`, nil, ErrMalformedEvent, false},
		{"intent without id", `{"id":"evt_4","type":"payment_intent.succeeded","data":{"object":{}}}`, nil, ErrMalformedEvent, false},
		{"unknown currency", `{"id":"evt_5","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":1,"currency":"zzz"}}}`, nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvent("stripe", []byte(tt.body))
			if tt.name == "unknown currency" {
				if err == nil {
					t.Fatal("want an error for an unsupported currency")
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantNone && len(got) != 0 {
				t.Fatalf("got %v, want no events", got)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d events, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Type != w.Type || g.ID != w.ID || g.IntentID != w.IntentID || g.OrderID != w.OrderID || g.RefundID != w.RefundID || g.Provider != "stripe" || g.Amount.Currency != "CNY" {
					t.Errorf("event = %+v, want %+v", g, w)
				}
			}
		})
	}
}

// The shapes of the pinned API version (testdata/): each parses to the
// event the saga needs.
func TestParseCurrentShapes(t *testing.T) {
	tests := []struct {
		file string
		want []payment.Event
	}{
		{"payment_intent.succeeded.json", []payment.Event{{Type: payment.EventSucceeded, IntentID: "pi_3PZcS1", OrderID: "ord_aaaaaaaaaaaaaaaa", Amount: money.Money{Amount: 45700, Currency: "CNY"}}}},
		{"payment_intent.payment_failed.declined.json", []payment.Event{{Type: payment.EventFailed, IntentID: "pi_3PZcS1", OrderID: "ord_aaaaaaaaaaaaaaaa",
			Amount: money.Money{Amount: 45700, Currency: "CNY"}, Retryable: true, DeclineCode: "insufficient_funds"}}},
		{"payment_intent.payment_failed.fraudulent.json", []payment.Event{{Type: payment.EventFailed, IntentID: "pi_3PZcS1", OrderID: "ord_aaaaaaaaaaaaaaaa",
			Amount: money.Money{Amount: 45700, Currency: "CNY"}, DeclineCode: "fraudulent"}}},
		{"charge.refunded.json", nil},
		{"charge.refund.updated.json", []payment.Event{{Type: payment.EventRefund, IntentID: "pi_3PZcS1", OrderID: "ord_aaaaaaaaaaaaaaaa",
			Amount: money.Money{Amount: 10000, Currency: "CNY"}, RefundID: "rfd_aaaaaaaaaaaaaaaa", ProviderRefundID: "re_3PZcS1", RefundStatus: "succeeded"}}},
		{"refund.failed.json", []payment.Event{{Type: payment.EventRefund, IntentID: "pi_3PZcS1", OrderID: "ord_aaaaaaaaaaaaaaaa",
			Amount: money.Money{Amount: 10000, Currency: "CNY"}, RefundID: "rfd_aaaaaaaaaaaaaaaa", ProviderRefundID: "re_3PZcS1", RefundStatus: "failed"}}},
		{"refund.created.dashboard.json", []payment.Event{{Type: payment.EventRefund, IntentID: "pi_3PZcS1",
			Amount: money.Money{Amount: 45700, Currency: "CNY"}, ProviderRefundID: "re_3PZcS9", RefundStatus: "succeeded"}}},
		{"charge.dispute.created.json", []payment.Event{{Type: payment.EventDisputeOpened, IntentID: "pi_3PZcS1",
			Amount: money.Money{Amount: 45700, Currency: "CNY"}, DisputeID: "dp_3PZcS1", DisputeStatus: "needs_response"}}},
		{"charge.dispute.closed.json", []payment.Event{{Type: payment.EventDisputeClosed, IntentID: "pi_3PZcS1",
			Amount: money.Money{Amount: 45700, Currency: "CNY"}, DisputeID: "dp_3PZcS1", DisputeStatus: "won"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseEvent("stripe", body)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i, w := range tt.want {
				g := got[i]
				g.ID, g.Created, g.Provider = "", time.Time{}, ""
				if g != w {
					t.Errorf("got  %+v\nwant %+v", g, w)
				}
			}
		})
	}
}
