package order

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// ShipmentStatus is where a parcel is, as its carrier reports it.
type ShipmentStatus string

// Shipment statuses, in the order a parcel goes through them.
const (
	LabelCreated   ShipmentStatus = "LABEL_CREATED"
	InTransit      ShipmentStatus = "IN_TRANSIT"
	Exception      ShipmentStatus = "EXCEPTION"
	OutForDelivery ShipmentStatus = "OUT_FOR_DELIVERY"
	ShipDelivered  ShipmentStatus = "DELIVERED"
)

// progress ranks statuses: news of a lower rank than the parcel's is
// stale and changes nothing (a "delivered" that overtook "in transit"
// stays delivered). An exception ranks with in transit.
var progress = map[ShipmentStatus]int{LabelCreated: 0, InTransit: 1, Exception: 1, OutForDelivery: 2, ShipDelivered: 3}

// ValidShipmentStatus reports whether s is a shipment status.
func ValidShipmentStatus(s ShipmentStatus) bool {
	_, ok := progress[s]
	return ok
}

// TrackingEvent is one carrier scan of a parcel.
type TrackingEvent struct {
	ID          string         `json:"id" dynamodbav:"id"`
	Status      ShipmentStatus `json:"status" dynamodbav:"status"`
	At          time.Time      `json:"at" dynamodbav:"at"`
	Place       string         `json:"place,omitempty" dynamodbav:"place,omitempty"`
	Description string         `json:"description,omitempty" dynamodbav:"description,omitempty"`
}

// ShippedLine is units of a line in a parcel.
type ShippedLine struct {
	SKUID    string `json:"skuId" dynamodbav:"skuId"`
	Quantity int64  `json:"quantity" dynamodbav:"quantity"`
}

// Shipment is a parcel: some or all of an order's lines, with a carrier's
// tracking number and the scans reported so far.
type Shipment struct {
	ID             string          `json:"id" dynamodbav:"id"`
	Carrier        string          `json:"carrier" dynamodbav:"carrier"`
	TrackingNumber string          `json:"trackingNumber" dynamodbav:"trackingNumber"`
	Lines          []ShippedLine   `json:"lines" dynamodbav:"lines"`
	Status         ShipmentStatus  `json:"status" dynamodbav:"status"`
	Events         []TrackingEvent `json:"events" dynamodbav:"events"`
	CreatedAt      time.Time       `json:"createdAt" dynamodbav:"createdAt"`
}

// Errors of fulfilment.
var (
	ErrNotShippable = problem.New(problem.Conflict, "only a paid ship order can be shipped")
	ErrOverShipped  = &problem.Error{Code: problem.Unprocessable, Field: "lines", Message: "more units than are left to ship"}
)

// Ship records a parcel of some or all lines: PAID → FULFILLING while
// lines are left to ship, → SHIPPED once none is.
func (o *Order) Ship(sh Shipment, at time.Time) error {
	if o.Fulfilment.Type != Ship || (o.Status != Paid && o.Status != Fulfilling) {
		return ErrNotShippable.With(map[string]any{"status": o.Status})
	}
	if slices.ContainsFunc(o.Shipments, func(s Shipment) bool { return s.ID == sh.ID }) {
		return fmt.Errorf("%w: shipment %s exists", ErrTransition, sh.ID)
	}
	for i, sl := range sh.Lines {
		j := slices.IndexFunc(o.Lines, func(l Line) bool { return l.SKUID == sl.SKUID })
		if j < 0 {
			return &problem.Error{Code: problem.Unprocessable, Field: fmt.Sprintf("lines[%d].skuId", i), Message: "the order has no line of " + sl.SKUID}
		}
		if sl.Quantity < 1 || o.Lines[j].Shipped+sl.Quantity > o.Lines[j].Quantity {
			return ErrOverShipped.With(map[string]any{"line": i, "left": o.Lines[j].Quantity - o.Lines[j].Shipped})
		}
		o.Lines[j].Shipped += sl.Quantity
	}
	sh.Status, sh.CreatedAt = LabelCreated, at
	if sh.Events == nil {
		sh.Events = []TrackingEvent{}
	}
	o.Shipments = append(o.Shipments, sh)
	to := Shipped
	if slices.ContainsFunc(o.Lines, func(l Line) bool { return l.Shipped < l.Quantity }) {
		to = Fulfilling
	}
	if to == o.Status {
		return nil
	}
	return o.Transition(to, at, "shipment "+sh.ID+" by "+sh.Carrier)
}

// Track applies a carrier's scan to a parcel. It reports whether anything
// changed: a repeated or stale scan changes nothing. Once every parcel of
// a SHIPPED order is delivered, the order is DELIVERED.
func (o *Order) Track(shipmentID string, ev TrackingEvent) (bool, error) {
	i := slices.IndexFunc(o.Shipments, func(s Shipment) bool { return s.ID == shipmentID })
	if i < 0 {
		return false, fmt.Errorf("order %s has no shipment %s", o.ID, shipmentID)
	}
	sh := &o.Shipments[i]
	if slices.ContainsFunc(sh.Events, func(e TrackingEvent) bool { return e.ID == ev.ID }) {
		return false, nil
	}
	stale := progress[ev.Status] < progress[sh.Status] || (progress[ev.Status] == progress[sh.Status] && ev.Status != Exception)
	if stale || sh.Status == ShipDelivered {
		return false, nil
	}
	sh.Status = ev.Status
	sh.Events = append(sh.Events, ev)
	delivered := !slices.ContainsFunc(o.Shipments, func(s Shipment) bool { return s.Status != ShipDelivered })
	if delivered && o.Status == Shipped {
		return true, o.Transition(Delivered, ev.At, "every parcel delivered")
	}
	return true, nil
}

// TimelineEntry is one step of an order's life as the shopper sees it.
type TimelineEntry struct {
	At          time.Time `json:"at"`
	Status      string    `json:"status"`
	Description string    `json:"description,omitempty"`
	Place       string    `json:"place,omitempty"`
	ShipmentID  string    `json:"shipmentId,omitempty"`
}

// BuildTimeline merges the order's status changes and its parcels' scans, in
// time order.
func (o Order) BuildTimeline() []TimelineEntry {
	var out []TimelineEntry
	for _, c := range o.History {
		out = append(out, TimelineEntry{At: c.At, Status: string(c.Status), Description: c.Reason})
	}
	for _, sh := range o.Shipments {
		for _, e := range sh.Events {
			out = append(out, TimelineEntry{At: e.At, Status: string(e.Status), Description: e.Description, Place: e.Place, ShipmentID: sh.ID})
		}
	}
	slices.SortStableFunc(out, func(a, b TimelineEntry) int { return cmp.Compare(a.At.UnixNano(), b.At.UnixNano()) })
	return out
}
