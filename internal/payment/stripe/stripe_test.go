package stripe_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/stripemock"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/stripe"
)

// Against stripe-mock, which validates every request against Stripe's
// OpenAPI spec and answers with fixtures (it keeps no state, so statuses
// are the fixtures').
func TestAgainstStripeMock(t *testing.T) {
	ctx := context.Background()
	c := stripe.New(stripemock.URL(t), "sk_test_123")
	amount := money.Money{Amount: 12800, Currency: "CNY"}
	in, err := c.CreateIntent(ctx, payment.CreateRequest{OrderID: "ord_abcdefghijklmnop", Amount: amount, IdempotencyKey: "ord_abcdefghijklmnop", Description: "jiaoyi order"})
	if err != nil {
		t.Fatal(err)
	}
	if in.ID == "" || in.ClientSecret == "" || in.Provider != "stripe" || in.Amount != amount || in.OrderID != "ord_abcdefghijklmnop" {
		t.Errorf("created intent = %+v", in)
	}
	got, err := c.GetIntent(ctx, in.ID)
	if err != nil || got.ID == "" {
		t.Errorf("get intent = %+v, %v", got, err)
	}
	if _, err := c.CancelIntent(ctx, in.ID); err != nil {
		t.Errorf("cancel intent: %v", err)
	}
	r, err := c.Refund(ctx, payment.RefundRequest{IntentID: in.ID, RefundID: "rfd_abcdefghijklmnop", Amount: money.Money{Amount: 100, Currency: "CNY"}})
	if err != nil || r.ProviderRefundID == "" {
		t.Errorf("refund = %+v, %v", r, err)
	}
}

// What stripe-mock cannot show: idempotency keys, auth, and error mapping.
func TestRequestsAndErrors(t *testing.T) {
	ctx := context.Background()
	var seen []*http.Request
	var status int
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		seen = append(seen, r)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	c := stripe.New(srv.URL, "sk_test_secret")

	status, body = 200, `{"id":"pi_1","amount":100,"currency":"cny","status":"requires_payment_method","client_secret":"s","metadata":{"order_id":"ord_1"}}`
	if _, err := c.CreateIntent(ctx, payment.CreateRequest{OrderID: "ord_1", Amount: money.Money{Amount: 100, Currency: "CNY"}, IdempotencyKey: "ord_1"}); err != nil {
		t.Fatal(err)
	}
	r := seen[0]
	if user, _, _ := r.BasicAuth(); user != "sk_test_secret" || r.Header.Get("Idempotency-Key") != "jiaoyi-intent-ord_1" ||
		r.PostForm.Get("currency") != "cny" || r.PostForm.Get("metadata[order_id]") != "ord_1" {
		t.Errorf("request: auth %q key %q form %v", user, r.Header.Get("Idempotency-Key"), r.PostForm)
	}

	tests := []struct {
		name    string
		status  int
		body    string
		call    func() error
		wantErr error
	}{
		{"server error is retryable", 500, `{}`, func() error { _, err := c.GetIntent(ctx, "pi_1"); return err }, payment.ErrUnavailable},
		{"rate limit is retryable", 429, `{}`, func() error { _, err := c.GetIntent(ctx, "pi_1"); return err }, payment.ErrUnavailable},
		{"unknown intent", 404, `{"error":{"code":"resource_missing"}}`, func() error { _, err := c.GetIntent(ctx, "pi_x"); return err }, payment.ErrIntentNotFound},
	}
	for _, tt := range tests {
		status, body = tt.status, tt.body
		if err := tt.call(); !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	// Cancelling a succeeded intent: Stripe refuses; we read it and say so.
	calls := 0
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if strings.HasSuffix(r.URL.Path, "/cancel") {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"error":{"code":"payment_intent_unexpected_state","message":"You cannot cancel this PaymentIntent because it has a status of succeeded."}}`))
			return
		}
		_, _ = w.Write([]byte(`{"id":"pi_1","amount":100,"currency":"cny","status":"succeeded"}`))
	})
	if _, err := c.CancelIntent(ctx, "pi_1"); !errors.Is(err, payment.ErrIntentSucceeded) || calls != 2 {
		t.Errorf("cancel of a succeeded intent err = %v after %d calls, want ErrIntentSucceeded after reading it", err, calls)
	}
}
