package devserver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// TestRunServesSeededCatalog is `make run` end to end: provision, seed,
// serve, answer over HTTP, stop on cancel.
func TestRunServesSeededCatalog(t *testing.T) {
	t.Setenv("JIAOYI_PAYMENT_HOLD", "4s")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan Sample, 1)
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{
			Addr: "127.0.0.1:0", Endpoint: awstest.Endpoint(t), Prefix: awstest.Prefix(t),
			Log:   logging.New(io.Discard, "error"),
			Ready: func(a string, s Sample) { addr <- a; ready <- s },
		})
	}()
	var base string
	var sample Sample
	select {
	case a := <-addr:
		base, sample = "http://"+a, <-ready
	case err := <-done:
		t.Fatalf("Run ended early: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("not ready after 60s")
	}
	if sample.Seeded.Products < 300 {
		t.Errorf("seeded %d products, want the demo catalog", sample.Seeded.Products)
	}

	resp, err := http.Get(base + "/products/" + sample.ProductID)
	if err != nil {
		t.Fatal(err)
	}
	var p catalog.ProductDetail
	err = json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || p.ID != sample.ProductID || len(p.SKUs) == 0 {
		t.Fatalf("GET product: %d %v %+v", resp.StatusCode, err, p)
	}

	resp, err = http.Get(base + "/products/prd_aaaaaaaaaaaaaaaa")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("unknown product: %d %s, want 404 problem+json", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// An order with a 4-second hold: placed over HTTP with the development
	// token, then expired by the payment-timeout consumer, stock restored.
	stockBefore := p.SKUs[0].Available
	body := `{"lines":[{"skuId":"` + p.SKUs[0].ID + `","quantity":1}],"fulfilment":{"type":"ship","address":{"name":"王小明","phone":"13800000000","line1":"南京西路1266号","city":"上海","country":"CN"}}}`
	req, _ := http.NewRequest("POST", base+"/orders", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "devserver-test-1")
	req.Header.Set("Authorization", "Bearer "+sample.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	err = json.NewDecoder(resp.Body).Decode(&o)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 201 || o.Status != "PENDING_PAYMENT" {
		t.Fatalf("POST /orders: %d %+v %v", resp.StatusCode, o, err)
	}
	unauth, _ := http.Post(base+"/orders", "application/json", strings.NewReader(body))
	unauth.Body.Close()
	if unauth.StatusCode != 401 {
		t.Errorf("POST /orders without a token: %d, want 401", unauth.StatusCode)
	}
	deadline := time.Now().Add(30 * time.Second)
	for o.Status != "EXPIRED" && time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		req, _ := http.NewRequest("GET", base+"/orders/"+o.ID, nil)
		req.Header.Set("Authorization", "Bearer "+sample.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = json.NewDecoder(resp.Body).Decode(&o)
		resp.Body.Close()
	}
	if o.Status != "EXPIRED" {
		t.Fatalf("order %s is %s after 30s, want EXPIRED by the timeout consumer", o.ID, o.Status)
	}
	resp, err = http.Get(base + "/products/" + sample.ProductID)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if p.SKUs[0].Available != stockBefore {
		t.Errorf("stock after expiry = %d, want %d", p.SKUs[0].Available, stockBefore)
	}

	// Pay an order at the sandbox, webhook delivered twice: PAID once; then
	// refund part of it.
	as := func(token, method, path, body, key string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	authed := func(method, path, body, key string) *http.Response {
		t.Helper()
		return as(sample.Token, method, path, body, key)
	}
	resp = authed("POST", "/orders", body, "devserver-test-2")
	_ = json.NewDecoder(resp.Body).Decode(&o)
	resp.Body.Close()
	resp, err = http.Post(base+"/_sandbox/orders/"+o.ID+"/succeed?deliver=twice", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	var sres SandboxResult
	_ = json.NewDecoder(resp.Body).Decode(&sres)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(sres.Delivered) != 2 || sres.Delivered[0] != 200 {
		t.Fatalf("sandbox pay: %d %+v", resp.StatusCode, sres)
	}
	deadline = time.Now().Add(30 * time.Second)
	for o.Status != "PAID" && time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		resp := authed("GET", "/orders/"+o.ID, "", "")
		_ = json.NewDecoder(resp.Body).Decode(&o)
		resp.Body.Close()
	}
	if o.Status != "PAID" {
		t.Fatalf("order %s is %s, want PAID by the payment-events consumer", o.ID, o.Status)
	}
	// Refunds are the merchant's (or an operator's) to make, not the shopper's.
	refund := `{"amount":{"amount":100,"currency":"CNY"},"reason":"test"}`
	resp = as(sample.Token, "POST", "/merchant/orders/"+o.ID+"/refunds", refund, "refund-1")
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("a shopper's refund: %d, want 403", resp.StatusCode)
	}
	resp = as(sample.MerchantToken, "POST", "/merchant/orders/"+o.ID+"/refunds", refund, "refund-1")
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Errorf("refund: %d, want 201", resp.StatusCode)
	}
	resp = as(sample.OpsToken, "POST", "/ops/orders/"+o.ID+"/refunds", refund, "refund-2")
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Errorf("an operator's refund: %d, want 201", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("Run did not stop after cancel")
	}
}

func TestRunReportsPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = Run(ctx, Options{Addr: ln.Addr().String(), Endpoint: "http://127.0.0.1:1", Prefix: "x-", Log: logging.New(io.Discard, "error")})
	if !errors.Is(err, ErrAddrInUse) {
		t.Fatalf("err = %v, want ErrAddrInUse", err)
	}
}
