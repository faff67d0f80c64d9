package devserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilment"
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilmentapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/signature"
)

// DefaultCarrierSecret signs the sandbox carrier's webhooks under make run.
const DefaultCarrierSecret = "whsec_local_carrier"

// sandboxCarrier stands in for a carrier: POST
// /_sandbox/shipments/{orderId}/{status}?deliver=once|twice|reversed sends
// signed tracking events for the order's latest parcel to
// /webhooks/carrier/{carrier}; "reversed" sends this status and then an
// older one, out of order.
type sandboxCarrier struct {
	orders *orderdb.Store
	url    string
	secret string
	log    *slog.Logger
	client *http.Client
}

var carrierStatuses = map[string]order.ShipmentStatus{
	"in-transit": order.InTransit, "out-for-delivery": order.OutForDelivery, "delivered": order.ShipDelivered, "exception": order.Exception,
}

func (c *sandboxCarrier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"status": status, "title": http.StatusText(status), "detail": msg})
	}
	st, ok := carrierStatuses[r.PathValue("status")]
	if !ok {
		fail(http.StatusBadRequest, "status must be in-transit, out-for-delivery, delivered or exception")
		return
	}
	deliver := r.URL.Query().Get("deliver")
	if deliver == "" {
		deliver = "once"
	}
	if !slices.Contains([]string{"once", "twice", "reversed"}, deliver) {
		fail(http.StatusBadRequest, "deliver must be once, twice or reversed")
		return
	}
	orderID := r.PathValue("id")
	if !id.Valid(id.Order, orderID) {
		fail(http.StatusBadRequest, "malformed order id")
		return
	}
	o, err := c.orders.Get(r.Context(), orderID)
	if err != nil || len(o.Shipments) == 0 {
		fail(http.StatusNotFound, "no shipped order with this id")
		return
	}
	sh := o.Shipments[len(o.Shipments)-1]
	now := time.Now().UTC()
	evs := []fulfilment.CarrierEvent{{ID: id.New("cev"), TrackingNumber: sh.TrackingNumber, Status: st, At: now, Place: "上海 (sandbox)", Description: strings.ToLower(string(st))}}
	switch deliver {
	case "twice":
		evs = append(evs, evs[0])
	case "reversed":
		evs = append(evs, fulfilment.CarrierEvent{ID: id.New("cev"), TrackingNumber: sh.TrackingNumber, Status: order.InTransit, At: now.Add(-time.Hour), Place: "杭州 (sandbox)", Description: "in transit (late)"})
	}
	var codes []int
	for _, e := range evs {
		body, _ := json.Marshal(e)
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, fmt.Sprintf("%s/%s", c.url, sh.Carrier), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(fulfilmentapi.SignatureHeader, signature.Sign(body, time.Now(), c.secret))
		resp, err := c.client.Do(req)
		if err != nil {
			c.log.Warn("sandbox carrier: deliver", "error", err)
			codes = append(codes, 0)
			continue
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"carrier": sh.Carrier, "trackingNumber": sh.TrackingNumber, "delivered": codes})
}
