package catalog

import (
	"fmt"
	"strings"

	"github.com/jiaoyi-dev/jiaoyi/internal/id"
)

// WarehousePrefix is the id prefix of warehouses; stores (id.Store) are
// locations too.
const WarehousePrefix = "whs"

// LocationKind says what a location is.
type LocationKind string

// Location kinds: a store also serves pickups and bookings.
const (
	Warehouse LocationKind = "warehouse"
	StoreKind LocationKind = "store"
)

// Location is a place that holds stock: a merchant's warehouse or store.
// Ship orders take stock from the location in the address's region first,
// else from the one with most; pickup orders from the chosen store only.
type Location struct {
	ID         string       `json:"id" dynamodbav:"id"`
	MerchantID string       `json:"merchantId" dynamodbav:"merchantId"`
	Kind       LocationKind `json:"kind" dynamodbav:"kind"`
	Name       Text         `json:"name" dynamodbav:"name"`
	// Region is the province-level region code ships are matched on (SH, BJ, GD, …).
	Region string `json:"region" dynamodbav:"region"`
}

// ValidLocationID reports whether s is a store's or a warehouse's id.
func ValidLocationID(s string) bool {
	return id.Valid(id.Store, s) || id.Valid(WarehousePrefix, s)
}

// Validate checks a location's invariants before it is stored.
func (l Location) Validate() error {
	switch {
	case !ValidLocationID(l.ID):
		return fmt.Errorf("catalog: location %q: malformed id", l.ID)
	case !id.Valid(MerchantPrefix, l.MerchantID):
		return fmt.Errorf("catalog: location %s: malformed merchant id", l.ID)
	case l.Kind != Warehouse && l.Kind != StoreKind:
		return fmt.Errorf("catalog: location %s: kind %q", l.ID, l.Kind)
	case strings.TrimSpace(l.Region) == "":
		return fmt.Errorf("catalog: location %s: region required", l.ID)
	}
	return nil
}

type locationItem struct {
	keys
	Location
}

// StockAt returns s's stock at location (0 if it holds none there); a SKU
// without per-location stock has all of it at "".
func (s SKU) StockAt(location string) int64 {
	if len(s.Stock) == 0 {
		if location == "" {
			return s.Available
		}
		return 0
	}
	return s.Stock[location]
}
