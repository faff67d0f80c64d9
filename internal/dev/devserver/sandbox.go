package devserver

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
)

// sandboxPSP is the local face of the sandbox provider: it lets a
// developer pay or fail an order's intent and delivers the signed webhooks
// a PSP would, on time, twice, late, reversed, or never. It is served by
// `make run` only, never deployed.
type sandboxPSP struct {
	checkout *checkout.Service
	provider *sandbox.Provider
	deliver  *sandbox.Deliverer
	log      *slog.Logger
}

// SandboxResult is the answer of the sandbox endpoint.
type SandboxResult struct {
	OrderID   string               `json:"orderId"`
	IntentID  string               `json:"intentId"`
	Intent    payment.IntentStatus `json:"intentStatus"`
	Delivered []int                `json:"delivered"`
	Pending   string               `json:"pending,omitempty"`
}

// ServeHTTP answers POST /_sandbox/orders/{id}/{outcome}?deliver=…
// outcome: succeed | fail. deliver: once (default) | twice | late |
// reversed | never; late waits ?delay= (default 10s).
func (p *sandboxPSP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"title": http.StatusText(status), "status": status, "detail": msg})
	}
	ctx := r.Context()
	o, err := p.checkout.Lookup(ctx, r.PathValue("id"))
	if err != nil {
		fail(http.StatusNotFound, "no such order")
		return
	}
	in := o.Payment.Intent
	var events [][]byte
	switch r.PathValue("outcome") {
	case "succeed":
		if in, err = p.provider.Succeed(ctx, in.ID); err != nil {
			fail(http.StatusConflict, err.Error())
			return
		}
		events = append(events, sandbox.EventBody(sandbox.NewEventID(), sandbox.TypeSucceeded, in, time.Now()))
	case "fail":
		events = append(events, sandbox.EventBody(sandbox.NewEventID(), sandbox.TypeFailed, in, time.Now()))
	default:
		fail(http.StatusBadRequest, "outcome must be succeed or fail")
		return
	}
	res := SandboxResult{OrderID: o.ID, IntentID: in.ID, Intent: in.Status}
	switch mode := r.URL.Query().Get("deliver"); mode {
	case "", "once":
	case "twice":
		events = append(events, events[0])
	case "reversed":
		// A stale failure of an earlier attempt arrives after the outcome.
		events = append(events, sandbox.EventBody(sandbox.NewEventID(), sandbox.TypeFailed, in, time.Now().Add(-time.Minute)))
	case "never":
		events, res.Pending = nil, "no webhook will be delivered; the hold's expiry asks the provider"
	case "late":
		delay, err := time.ParseDuration(r.URL.Query().Get("delay"))
		if err != nil {
			delay = 10 * time.Second
		}
		late := events
		events, res.Pending = nil, fmt.Sprintf("delivering in %s", delay)
		go func() {
			time.Sleep(delay)
			for _, e := range late {
				code, err := p.deliver.Deliver(context.Background(), e)
				p.log.Info("sandbox: late webhook delivered", "order_id", o.ID, "status", code, "error", err)
			}
		}()
	default:
		fail(http.StatusBadRequest, "deliver must be once, twice, late, reversed or never")
		return
	}
	for _, e := range events {
		code, err := p.deliver.Deliver(ctx, e)
		if err != nil {
			fail(http.StatusBadGateway, err.Error())
			return
		}
		res.Delivered = append(res.Delivered, code)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

// sandboxReports shows the sandbox provider's settlement reports and lets
// a developer misreport a day, to watch reconciliation find it:
// GET /_sandbox/reports/{date}; PUT /_sandbox/reports/{date}/tamper with
// {"drop":[ref],"duplicate":[ref],"alter":[ref],"delta":7,"currency":[ref]}
// (refs are the report's providerRef values; {} reports truthfully again).
type sandboxReports struct{ provider *sandbox.Provider }

func (s *sandboxReports) get(w http.ResponseWriter, r *http.Request) {
	lines, err := s.provider.Report(r.Context(), r.PathValue("date"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if lines == nil {
		lines = []sandbox.ReportLine{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"date": r.PathValue("date"), "lines": lines})
}

func (s *sandboxReports) tamper(w http.ResponseWriter, r *http.Request) {
	var t sandbox.Tamper
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		http.Error(w, "want {drop, duplicate, alter, delta, currency}: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.provider.SetTamper(r.Context(), r.PathValue("date"), t); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
