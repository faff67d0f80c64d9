package main

import (
	"errors"
	"strings"
	"testing"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
)

func TestParseMix(t *testing.T) {
	tests := []struct {
		in      string
		want    Mix
		wantErr bool
	}{
		{"hot=1", Mix{Hot: 1}, false},
		{"hot=1, spread=2,read=6,dup=1", Mix{Hot: 1, Spread: 2, Read: 6, Dup: 1}, false},
		{"hot=0", nil, true},
		{"cold=1", nil, true},
		{"hot=-1", nil, true},
		{"hot", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseMix(tt.in)
		if (err != nil) != tt.wantErr || len(got) != len(tt.want) {
			t.Errorf("ParseMix(%q) = %v, %v", tt.in, got, err)
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("ParseMix(%q)[%s] = %d, want %d", tt.in, k, got[k], v)
			}
		}
	}
}

func TestTargetsRepeatDuplicatesAndStop(t *testing.T) {
	cfg := Config{Base: "http://x", Mix: Mix{Dup: 1}, Requests: 7, HotSKU: "sku_hot", Seed: 3}
	g := NewTargets(cfg, []string{"tok"}, []catalog.SKU{{ID: "sku_a"}}, []string{"prd_a"})
	var urls []string
	for {
		var tg vegeta.Target
		err := g.Next(&tg)
		if errors.Is(err, vegeta.ErrNoTargets) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, tg.URL+" "+tg.Header.Get("Idempotency-Key"))
	}
	if len(urls) != 7 {
		t.Fatalf("%d targets, want 7", len(urls))
	}
	if urls[0] != urls[1] || urls[1] != urls[2] || urls[3] == urls[2] || !strings.Contains(urls[0], "lt=dup") {
		t.Errorf("duplicates not sent three times with one key: %v", urls)
	}
}

func TestInvariants(t *testing.T) {
	ok := NewReport()
	ok.StockBefore, ok.StockAfter = 5, 3
	ok.Add(&vegeta.Result{URL: "http://x/orders?lt=hot&k=a", Code: 201, Body: []byte(`{"id":"ord_a"}`)})
	ok.Add(&vegeta.Result{URL: "http://x/orders?lt=hot&k=b", Code: 201, Body: []byte(`{"id":"ord_b"}`)})
	ok.Add(&vegeta.Result{URL: "http://x/orders?lt=hot&k=c", Code: 409, Body: []byte(`{}`)})
	ok.Add(&vegeta.Result{URL: "http://x/orders?lt=dup&k=d", Code: 201, Body: []byte(`{"id":"ord_d"}`)})
	ok.Add(&vegeta.Result{URL: "http://x/orders?lt=dup&k=d", Code: 201, Body: []byte(`{"id":"ord_d"}`)})
	if f := ok.Invariants(); len(f) != 0 {
		t.Errorf("clean run failed: %v", f)
	}
	bad := NewReport()
	bad.StockBefore, bad.StockAfter = 5, 3
	bad.Add(&vegeta.Result{URL: "http://x/orders?lt=hot&k=a", Code: 201, Body: []byte(`{"id":"ord_a"}`)})
	bad.Add(&vegeta.Result{URL: "http://x/orders?lt=hot&k=b", Code: 500, Body: []byte(`{}`)})
	bad.Add(&vegeta.Result{URL: "http://x/orders?lt=dup&k=d", Code: 201, Body: []byte(`{"id":"ord_d"}`)})
	bad.Add(&vegeta.Result{URL: "http://x/orders?lt=dup&k=d", Code: 201, Body: []byte(`{"id":"ord_e"}`)})
	if f := bad.Invariants(); len(f) != 3 {
		t.Errorf("failures %v, want oversell, 5xx and a doubled key", f)
	}
}
