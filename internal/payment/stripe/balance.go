package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// BalanceTransaction is one movement of the Stripe balance, as
// GET /v1/balance_transactions lists it with its source expanded: what
// Stripe's balance-transaction export reports, fee included.
type BalanceTransaction struct {
	ID                string `json:"id"`
	Type              string `json:"type"`
	ReportingCategory string `json:"reporting_category"`
	// Amount, Fee and Net are in the currency's minor units; Amount is
	// negative for money leaving the balance (refunds, disputes, payouts).
	Amount   int64  `json:"amount"`
	Fee      int64  `json:"fee"`
	Net      int64  `json:"net"`
	Currency string `json:"currency"`
	Created  int64  `json:"created"`
	Source   Source `json:"source"`
}

// Source is the object a balance transaction came from (a charge, refund,
// dispute or payout), with the metadata jiaoyi set on it.
type Source struct {
	ID            string            `json:"id"`
	Object        string            `json:"object"`
	Metadata      map[string]string `json:"metadata"`
	PaymentIntent json.RawMessage   `json:"payment_intent"`
}

// UnmarshalJSON takes a source expanded (an object) or not (its id).
func (s *Source) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &s.ID)
	}
	type plain Source
	return json.Unmarshal(b, (*plain)(s))
}

// OrderID is the jiaoyi order a source belongs to: its own metadata, or
// that of its PaymentIntent when that was expanded.
func (s Source) OrderID() string {
	if id := s.Metadata["order_id"]; id != "" {
		return id
	}
	var pi struct {
		Metadata map[string]string `json:"metadata"`
	}
	if len(s.PaymentIntent) > 0 && s.PaymentIntent[0] == '{' && json.Unmarshal(s.PaymentIntent, &pi) == nil {
		return pi.Metadata["order_id"]
	}
	return ""
}

type balancePage struct {
	Data    []BalanceTransaction `json:"data"`
	HasMore bool                 `json:"has_more"`
}

// BalanceTransactions lists the balance transactions created in [from,
// to), oldest last as Stripe pages them, with their sources expanded.
func (c *Client) BalanceTransactions(ctx context.Context, from, to time.Time) ([]BalanceTransaction, error) {
	var out []BalanceTransaction
	after := ""
	for {
		q := url.Values{
			"created[gte]": {strconv.FormatInt(from.Unix(), 10)},
			"created[lt]":  {strconv.FormatInt(to.Unix(), 10)},
			"limit":        {"100"},
			"expand[]":     {"data.source"},
		}
		if after != "" {
			q.Set("starting_after", after)
		}
		var page balancePage
		if err := c.call(ctx, "GET", "/v1/balance_transactions?"+q.Encode(), nil, "", &page); err != nil {
			return nil, fmt.Errorf("stripe: balance transactions: %w", err)
		}
		out = append(out, page.Data...)
		if !page.HasMore || len(page.Data) == 0 {
			return out, nil
		}
		after = page.Data[len(page.Data)-1].ID
	}
}

// Kinds of report lines a balance transaction becomes (reconcile's types).
const (
	LineCharge  = "charge"
	LineRefund  = "refund"
	LineDispute = "dispute"
	LinePayout  = "payout"
	LineFee     = "fee"
)

// ReportLine is a balance transaction as a settlement report line: its
// kind, Stripe's id, jiaoyi's id of what it records (the order of a charge
// or dispute, the refund id of a refund), the amount as a positive number
// and Stripe's fee.
type ReportLine struct {
	Kind        string
	ProviderRef string
	OurRef      string
	Amount      int64
	Currency    string
	Fee         int64
}

// ReportLines turns balance transactions into report lines by their
// reporting category. Categories that move no order money (transfers,
// topups, tax, …) are left out; a category jiaoyi does not know is an
// error, so a new kind of money is never silently dropped.
func ReportLines(txns []BalanceTransaction) ([]ReportLine, error) {
	var out []ReportLine
	for _, t := range txns {
		l := ReportLine{ProviderRef: t.ID, Amount: abs(t.Amount), Currency: strings.ToUpper(t.Currency), Fee: t.Fee}
		switch t.ReportingCategory {
		case "charge":
			l.Kind, l.OurRef = LineCharge, t.Source.OrderID()
		case "refund", "partial_capture_reversal":
			l.Kind, l.OurRef = LineRefund, t.Source.Metadata["refund_id"]
			if l.OurRef == "" {
				l.OurRef = t.Source.OrderID() // a refund made at Stripe: matched by its order
			}
		case "dispute", "dispute_reversal":
			l.Kind, l.OurRef = LineDispute, t.Source.OrderID()
		case "payout", "payout_reversal":
			l.Kind, l.OurRef = LinePayout, t.Source.ID
		case "fee", "other_adjustment":
			l.Kind, l.OurRef = LineFee, t.Source.ID
		case "transfer", "transfer_reversal", "topup", "topup_reversal", "tax", "connect_reserved_funds", "risk_reserved_funds":
			continue
		default:
			return nil, fmt.Errorf("stripe: balance transaction %s: unknown reporting category %q", t.ID, t.ReportingCategory)
		}
		out = append(out, l)
	}
	return out, nil
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// CaptureFee is Stripe's fee on the capture of PaymentIntent intentID:
// the fee of its latest charge's balance transaction.
func (c *Client) CaptureFee(ctx context.Context, intentID string) (int64, error) {
	var in struct {
		LatestCharge struct {
			ID                 string `json:"id"`
			BalanceTransaction *struct {
				Fee int64 `json:"fee"`
			} `json:"balance_transaction"`
		} `json:"latest_charge"`
	}
	q := url.Values{"expand[]": {"latest_charge.balance_transaction"}}
	if err := c.call(ctx, "GET", "/v1/payment_intents/"+url.PathEscape(intentID)+"?"+q.Encode(), nil, "", &in); err != nil {
		return 0, fmt.Errorf("stripe: capture fee of %s: %w", intentID, err)
	}
	if in.LatestCharge.BalanceTransaction == nil {
		return 0, fmt.Errorf("stripe: capture fee of %s: %w", intentID, ErrNoBalanceTransaction)
	}
	return in.LatestCharge.BalanceTransaction.Fee, nil
}

// ErrNoBalanceTransaction is a PaymentIntent whose charge has no balance
// transaction yet (not captured); the caller retries later.
var ErrNoBalanceTransaction = errors.New("no balance transaction yet")
