package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// The client pages Stripe's balance transactions of a window with their
// sources expanded, and each becomes a report line by its reporting
// category: charges and disputes by their order, refunds by jiaoyi's
// refund id, Stripe's fee kept.
func TestBalanceTransactionsBecomeReportLines(t *testing.T) {
	raw, err := os.ReadFile("testdata/balance_transactions.json")
	if err != nil {
		t.Fatal(err)
	}
	var pages []json.RawMessage
	if err := json.Unmarshal(raw, &pages); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 1)
	var calls []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if user, _, _ := r.BasicAuth(); user != "sk_test_x" || r.URL.Path != "/v1/balance_transactions" ||
			q.Get("created[gte]") != strconv.FormatInt(from.Unix(), 10) || q.Get("created[lt]") != strconv.FormatInt(to.Unix(), 10) || q.Get("expand[]") != "data.source" {
			http.Error(w, `{"error":{"code":"bad_request","message":"unexpected request"}}`, 400)
			return
		}
		calls = append(calls, q.Get("starting_after"))
		page := pages[0]
		if q.Get("starting_after") == "txn_3Q2charge" {
			page = pages[1]
		}
		w.Write(page)
	}))
	defer srv.Close()
	txns, err := New(srv.URL, "sk_test_x").BalanceTransactions(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(calls, []string{"", "txn_3Q2charge"}) || len(txns) != 6 {
		t.Fatalf("pages asked %q, %d transactions", calls, len(txns))
	}
	lines, err := ReportLines(txns)
	if err != nil {
		t.Fatal(err)
	}
	want := []ReportLine{
		{LineCharge, "txn_3Q1charge", "ord_oemxqucdjlpyabua", 45700, "CNY", 1645},
		{LineCharge, "txn_3Q2charge", "ord_2aaaaaaaaaaaaaaa", 12800, "CNY", 461},
		{LineRefund, "txn_3Q3refund", "rfd_gmkjzl2fqjznwrhu", 10000, "CNY", 0},
		{LineDispute, "txn_3Q4dispute", "ord_2aaaaaaaaaaaaaaa", 12800, "CNY", 1500},
		{LinePayout, "txn_3Q5payout", "po_3Q5", 30000, "CNY", 0},
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("lines\n got %+v\nwant %+v", lines, want)
	}
	if _, err := ReportLines([]BalanceTransaction{{ID: "txn_new", ReportingCategory: "climate_order_purchase"}}); err == nil {
		t.Error("an unknown reporting category was dropped silently")
	}
}

// The capture fee is the fee of the PaymentIntent's latest charge's
// balance transaction; an intent not yet captured has none.
func TestCaptureFee(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("expand[]") != "latest_charge.balance_transaction" {
			http.Error(w, `{"error":{"code":"bad_request"}}`, 400)
			return
		}
		switch r.URL.Path {
		case "/v1/payment_intents/pi_paid":
			w.Write([]byte(`{"id":"pi_paid","object":"payment_intent","latest_charge":{"id":"ch_1","balance_transaction":{"id":"txn_1","fee":1645,"net":44055}}}`))
		case "/v1/payment_intents/pi_open":
			w.Write([]byte(`{"id":"pi_open","object":"payment_intent","latest_charge":null}`))
		default:
			http.Error(w, `{"error":{"code":"resource_missing"}}`, 404)
		}
	}))
	defer srv.Close()
	c := New(srv.URL, "sk_test_x")
	if fee, err := c.CaptureFee(context.Background(), "pi_paid"); err != nil || fee != 1645 {
		t.Errorf("paid: %d, %v; want 1645", fee, err)
	}
	if _, err := c.CaptureFee(context.Background(), "pi_open"); !errors.Is(err, ErrNoBalanceTransaction) {
		t.Errorf("not captured: %v", err)
	}
}
