package risk

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Window is a velocity window.
type Window int

// The velocity windows: last 10 minutes, hour and day.
const (
	Win10m Window = iota
	Win1h
	Win24h
	nWindows
)

// Windows are the windows' lengths.
var Windows = [nWindows]time.Duration{10 * time.Minute, time.Hour, 24 * time.Hour}

// windowNames name the windows in features and rules.
var windowNames = [nWindows]string{"10m", "1h", "24h"}

// String names the window.
func (w Window) String() string { return windowNames[w] }

// History is what the risk table knows of a shopper when an order is
// placed: counts exclude the order being placed.
type History struct {
	// FirstOrderAt is the shopper's first placed order (zero: none), the
	// account's age where jiaoyi holds no account data.
	FirstOrderAt time.Time
	// PriorOrders and PriorAmount are the shopper's placed orders in the
	// order's currency and their sum in minor units.
	PriorOrders int64
	PriorAmount int64
	// Orders and Failures are the placed orders and failed payments in
	// each window (sliding estimates from time buckets, see riskdb).
	Orders   [nWindows]float64
	Failures [nWindows]float64
	// Addresses is how many distinct shipping addresses the shopper has
	// used; KnownAddress whether this order's is one of them.
	Addresses    int
	KnownAddress bool
}

// Line is one line of an order, as risk sees it.
type Line struct {
	SKUID    string
	Category string
	Quantity int64
	// Total is the line's total in minor units.
	Total int64
}

// Input is an order about to be placed, as risk sees it.
type Input struct {
	CustomerID  string
	MerchantIDs []string
	// Amount is the order's total in minor units of Currency, whose
	// minor units are 10^-Exponent of a major unit.
	Amount   int64
	Currency string
	Exponent int
	Lines    []Line
	Pickup   bool
	// AddressKey identifies a ship order's address (AddressKey()); "" for pickup.
	AddressKey string
	// DeviceID and IP are what the client supplied (optional).
	DeviceID string
	IP       string
	At       time.Time
}

// FeatureNames are the features Compute returns, in order.
var FeatureNames = []string{
	"log_amount", "amount_vs_history", "first_order", "account_age_days",
	"orders_10m", "orders_1h", "orders_24h", "failures_10m", "failures_1h", "failures_24h",
	"addresses", "new_address", "max_quantity", "units", "resale_share", "pickup", "night", "no_device",
}

// Compute returns the order's features in FeatureNames order. resale
// reports whether a line's SKU is hot or resale-prone; loc is the time
// zone whose night counts (nil: UTC).
func Compute(in Input, h History, resale func(Line) bool, loc *time.Location) []float64 {
	scale := math.Pow10(in.Exponent)
	major := float64(in.Amount) / scale
	vsHistory, first, age := 0.0, 1.0, 0.0
	if h.PriorOrders > 0 {
		first = 0
		avg := float64(h.PriorAmount) / float64(h.PriorOrders) / scale
		vsHistory = math.Log((major + 1) / (avg + 1))
	}
	if !h.FirstOrderAt.IsZero() && in.At.After(h.FirstOrderAt) {
		age = math.Log1p(in.At.Sub(h.FirstOrderAt).Hours() / 24)
	}
	var maxQty, units, resaleAmt int64
	for _, l := range in.Lines {
		maxQty = max(maxQty, l.Quantity)
		units += l.Quantity
		if resale != nil && resale(l) {
			resaleAmt += l.Total
		}
	}
	share := 0.0
	if in.Amount > 0 {
		share = float64(resaleAmt) / float64(in.Amount)
	}
	addresses, newAddr := float64(h.Addresses), 0.0
	if !in.Pickup && !h.KnownAddress {
		addresses++
		if h.PriorOrders > 0 {
			newAddr = 1
		}
	}
	if loc == nil {
		loc = time.UTC
	}
	night := 0.0
	if hr := in.At.In(loc).Hour(); hr < 6 {
		night = 1
	}
	return []float64{
		math.Log1p(major), vsHistory, first, age,
		math.Log1p(h.Orders[Win10m]), math.Log1p(h.Orders[Win1h]), math.Log1p(h.Orders[Win24h]),
		math.Log1p(h.Failures[Win10m]), math.Log1p(h.Failures[Win1h]), math.Log1p(h.Failures[Win24h]),
		addresses, newAddr, math.Log1p(float64(maxQty)), math.Log1p(float64(units)), share,
		flag(in.Pickup), night, flag(in.DeviceID == ""),
	}
}

func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// AddressKey identifies a shipping address regardless of case, spacing and
// punctuation (recipient name and phone aside): a hash, so block lists and
// counters hold no address in the clear.
func AddressKey(line1, line2, city, postalCode, country string) string {
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return unicode.ToLower(r)
			}
			return -1
		}, s)
	}
	parts := []string{norm(line1), norm(line2), norm(city), norm(postalCode), strings.ToUpper(country)}
	sum := sha256.Sum256([]byte(strings.Join(parts, "|")))
	return hex.EncodeToString(sum[:12])
}

// Resale reports whether a line's SKU or category is listed as hot or
// resale-prone.
func (r Rules) Resale(l Line) bool {
	return slices.Contains(r.ResaleSKUs, l.SKUID) || (l.Category != "" && slices.Contains(r.ResaleCategories, l.Category))
}
