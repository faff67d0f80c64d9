package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Report gathers results and checks the invariants.
type Report struct {
	All     vegeta.Metrics
	ByKind  map[string]*vegeta.Metrics
	Codes   map[uint16]int
	Elapsed time.Duration
	// HotOrders are the distinct orders placed for the hot SKU.
	HotOrders map[string]bool
	// DupOrders is the order each retry of a key answered.
	DupOrders map[string]map[string]bool
	// ServerErrors lists 5xx answers.
	ServerErrors []string
	// Stock of the hot SKU before and after.
	StockBefore, StockAfter int64
}

// NewReport returns an empty report.
func NewReport() *Report {
	return &Report{ByKind: map[string]*vegeta.Metrics{}, Codes: map[uint16]int{}, HotOrders: map[string]bool{}, DupOrders: map[string]map[string]bool{}}
}

// Add takes one result in.
func (r *Report) Add(res *vegeta.Result) {
	if res.Error == vegeta.ErrNoTargets.Error() {
		return // the end of the targets, not a request
	}
	r.All.Add(res)
	u, _ := url.Parse(res.URL)
	kind := u.Query().Get("lt")
	m := r.ByKind[kind]
	if m == nil {
		m = &vegeta.Metrics{}
		r.ByKind[kind] = m
	}
	m.Add(res)
	r.Codes[res.Code]++
	if res.Code >= 500 || res.Code == 0 {
		r.ServerErrors = append(r.ServerErrors, fmt.Sprintf("%s %d %s %s", kind, res.Code, res.Error, strings.TrimSpace(string(res.Body))))
	}
	var o struct {
		ID string `json:"id"`
	}
	if (res.Code == 201 || res.Code == 200) && kind != Read {
		_ = json.Unmarshal(res.Body, &o)
	}
	switch {
	case kind == Hot && res.Code == 201 && o.ID != "" && res.Headers.Get("Idempotent-Replayed") == "":
		r.HotOrders[o.ID] = true
	case kind == Dup && o.ID != "":
		key := u.Query().Get("k")
		if r.DupOrders[key] == nil {
			r.DupOrders[key] = map[string]bool{}
		}
		r.DupOrders[key][o.ID] = true
	}
}

// Invariants returns what failed: orders for the hot SKU equal the stock
// it lost, no 5xx (or lost requests), one order per duplicated key.
func (r *Report) Invariants() []string {
	var out []string
	if taken := r.StockBefore - r.StockAfter; int64(len(r.HotOrders)) != taken {
		out = append(out, fmt.Sprintf("%d hot orders placed but the SKU's stock went from %d to %d", len(r.HotOrders), r.StockBefore, r.StockAfter))
	}
	if r.StockAfter < 0 {
		out = append(out, fmt.Sprintf("stock is negative: %d", r.StockAfter))
	}
	if n := len(r.ServerErrors); n > 0 {
		out = append(out, fmt.Sprintf("%d answers were 5xx or lost, e.g. %s", n, r.ServerErrors[0]))
	}
	for key, orders := range r.DupOrders {
		if len(orders) > 1 {
			out = append(out, fmt.Sprintf("Idempotency-Key %s made %d orders", key, len(orders)))
		}
	}
	return out
}

// Print writes the report.
func (r *Report) Print(w io.Writer, cfg Config) {
	r.All.Close()
	fmt.Fprintf(w, "target %s, mix %v, %d requests in %s: %.1f requests/s (rate %d, workers %d)\n",
		cfg.Base, cfg.Mix, r.All.Requests, r.Elapsed.Round(time.Millisecond), float64(r.All.Requests)/r.Elapsed.Seconds(), cfg.Rate, cfg.Workers)
	fmt.Fprintf(w, "%-8s %8s %10s %10s %10s %10s\n", "kind", "requests", "p50", "p95", "p99", "max")
	line := func(name string, m *vegeta.Metrics) {
		fmt.Fprintf(w, "%-8s %8d %10s %10s %10s %10s\n", name, m.Requests, round(m.Latencies.P50), round(m.Latencies.P95), round(m.Latencies.P99), round(m.Latencies.Max))
	}
	line("all", &r.All)
	kinds := make([]string, 0, len(r.ByKind))
	for k := range r.ByKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		r.ByKind[k].Close()
		line(k, r.ByKind[k])
	}
	codes := make([]int, 0, len(r.Codes))
	for c := range r.Codes {
		codes = append(codes, int(c))
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", c, r.Codes[uint16(c)]))
	}
	fmt.Fprintf(w, "statuses  %s\n", strings.Join(parts, "  "))
	fmt.Fprintf(w, "hot SKU %s: stock %d → %d, %d orders placed\n", cfg.HotSKU, r.StockBefore, r.StockAfter, len(r.HotOrders))
}

func round(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
