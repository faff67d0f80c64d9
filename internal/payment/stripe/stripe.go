// Package stripe is the Stripe adapter of internal/payment: it creates,
// reads and cancels PaymentIntents and creates refunds over Stripe's REST
// API, with Stripe idempotency keys derived from jiaoyi's own ids, so a
// retried call never charges or refunds twice. (Plain HTTP rather than
// stripe-go: four form-encoded calls do not justify the SDK's size in every
// Lambda that links a provider.)
package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
)

// Name is the provider's id.
const Name = "stripe"

// DefaultBaseURL is Stripe's API.
const DefaultBaseURL = "https://api.stripe.com"

// Client calls Stripe.
type Client struct {
	// BaseURL is Stripe's API, or stripe-mock's in tests.
	BaseURL string
	// APIKey is the secret key; it is never logged (logging.Secret).
	APIKey logging.Secret
	HTTP   *http.Client
}

var _ payment.Provider = (*Client)(nil)

// New returns a client for the API at baseURL ("" for Stripe's).
func New(baseURL string, apiKey string) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), APIKey: logging.Secret(apiKey), HTTP: &http.Client{Timeout: 6 * time.Second}}
}

// Name implements payment.Provider.
func (c *Client) Name() string { return Name }

type intent struct {
	ID           string            `json:"id"`
	Amount       int64             `json:"amount"`
	Currency     string            `json:"currency"`
	Status       string            `json:"status"`
	ClientSecret string            `json:"client_secret"`
	Metadata     map[string]string `json:"metadata"`
}

// apiError is Stripe's error body.
type apiError struct {
	Error struct {
		Type          string  `json:"type"`
		Code          string  `json:"code"`
		Message       string  `json:"message"`
		PaymentIntent *intent `json:"payment_intent"`
	} `json:"error"`
}

// CreateIntent implements payment.Provider.
func (c *Client) CreateIntent(ctx context.Context, req payment.CreateRequest) (payment.Intent, error) {
	form := url.Values{
		"amount":                             {strconv.FormatInt(req.Amount.Amount, 10)},
		"currency":                           {strings.ToLower(req.Amount.Currency)},
		"metadata[order_id]":                 {req.OrderID},
		"automatic_payment_methods[enabled]": {"true"},
	}
	if req.Description != "" {
		form.Set("description", req.Description)
	}
	var in intent
	if err := c.call(ctx, http.MethodPost, "/v1/payment_intents", form, "jiaoyi-intent-"+req.IdempotencyKey, &in); err != nil {
		return payment.Intent{}, fmt.Errorf("stripe: create intent: %w", err)
	}
	out := toIntent(in)
	if out.OrderID == "" {
		out.OrderID = req.OrderID
	}
	return out, nil
}

// GetIntent implements payment.Provider.
func (c *Client) GetIntent(ctx context.Context, id string) (payment.Intent, error) {
	var in intent
	if err := c.call(ctx, http.MethodGet, "/v1/payment_intents/"+url.PathEscape(id), nil, "", &in); err != nil {
		return payment.Intent{}, fmt.Errorf("stripe: get intent: %w", err)
	}
	return toIntent(in), nil
}

// CancelIntent implements payment.Provider.
func (c *Client) CancelIntent(ctx context.Context, id string) (payment.Intent, error) {
	var in intent
	err := c.call(ctx, http.MethodPost, "/v1/payment_intents/"+url.PathEscape(id)+"/cancel", url.Values{}, "jiaoyi-cancel-"+id, &in)
	var ae *stateError
	if errors.As(err, &ae) {
		// Already final: read it to say which.
		cur, gerr := c.GetIntent(ctx, id)
		if gerr != nil {
			return payment.Intent{}, gerr
		}
		switch cur.Status {
		case payment.Succeeded:
			return cur, payment.ErrIntentSucceeded
		case payment.Canceled:
			return cur, nil
		}
		return cur, fmt.Errorf("stripe: cancel intent %s in state %s: %w", id, cur.Status, err)
	}
	if err != nil {
		return payment.Intent{}, fmt.Errorf("stripe: cancel intent: %w", err)
	}
	return toIntent(in), nil
}

// Refund implements payment.Provider.
func (c *Client) Refund(ctx context.Context, req payment.RefundRequest) (payment.Refund, error) {
	form := url.Values{
		"payment_intent":      {req.IntentID},
		"amount":              {strconv.FormatInt(req.Amount.Amount, 10)},
		"metadata[refund_id]": {req.RefundID},
	}
	if req.OrderID != "" {
		form.Set("metadata[order_id]", req.OrderID)
	}
	var r struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := c.call(ctx, http.MethodPost, "/v1/refunds", form, "jiaoyi-refund-"+req.RefundID, &r); err != nil {
		return payment.Refund{}, fmt.Errorf("stripe: refund: %w", err)
	}
	return payment.Refund{ProviderRefundID: r.ID, Status: r.Status}, nil
}

// stateError is Stripe refusing an action in the intent's current state.
type stateError struct{ msg string }

func (e *stateError) Error() string { return e.msg }

func (c *Client) call(ctx context.Context, method, path string, form url.Values, idemKey string, out any) error {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
	if err != nil {
		return err
	}
	req.SetBasicAuth(string(c.APIKey), "")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", payment.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%w: %w", payment.ErrUnavailable, err)
	}
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("%w: status %d", payment.ErrUnavailable, resp.StatusCode)
	case resp.StatusCode == http.StatusNotFound:
		return payment.ErrIntentNotFound
	case resp.StatusCode >= 400:
		var ae apiError
		_ = json.Unmarshal(raw, &ae)
		if ae.Error.Code == "payment_intent_unexpected_state" {
			return &stateError{msg: ae.Error.Message}
		}
		return fmt.Errorf("stripe refused (%d %s): %s", resp.StatusCode, ae.Error.Code, ae.Error.Message)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode stripe answer: %w", err)
	}
	return nil
}

func toIntent(in intent) payment.Intent {
	return payment.Intent{
		Provider: Name, ID: in.ID, OrderID: in.Metadata["order_id"],
		Amount: money.Money{Amount: in.Amount, Currency: strings.ToUpper(in.Currency)},
		Status: status(in.Status), ClientSecret: in.ClientSecret,
	}
}

// status maps Stripe's intent statuses onto the saga's.
func status(s string) payment.IntentStatus {
	switch s {
	case "succeeded":
		return payment.Succeeded
	case "canceled":
		return payment.Canceled
	case "processing", "requires_capture":
		return payment.Processing
	}
	return payment.RequiresPayment
}
