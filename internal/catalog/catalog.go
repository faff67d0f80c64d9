// Package catalog is what jiaoyi sells and who sells it: merchants with
// their settlement terms, products with bilingual names and attributes,
// their SKUs with prices and stock, and the physical stores with bookable
// service slots for O2O (book online, consume in store).
package catalog

import (
	"fmt"
	"strings"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Sentinel errors callers branch on.
var (
	ErrProductNotFound = problem.New(problem.NotFound, "product not found")
	ErrInvalidProduct  = problem.Field("id", "product id is malformed: want prd_ followed by 16 characters a-z, 2-7")
	ErrStoreNotFound   = problem.New(problem.NotFound, "store not found")
	ErrSlotNotFound    = problem.New(problem.NotFound, "slot not found")
)

// Text is a string in Chinese and English.
type Text struct {
	ZH string `json:"zh" dynamodbav:"zh"`
	EN string `json:"en" dynamodbav:"en"`
}

// Attribute is a named property of a product or SKU, e.g. 产地/Origin: 云南/Yunnan.
type Attribute struct {
	Key   string `json:"key" dynamodbav:"key"`
	Name  Text   `json:"name" dynamodbav:"name"`
	Value Text   `json:"value" dynamodbav:"value"`
}

// Status is a product's sale status.
type Status string

// Product statuses: inactive products are shown but cannot be ordered.
const (
	Active   Status = "ACTIVE"
	Inactive Status = "INACTIVE"
)

// Product is a sellable item with one or more SKUs.
type Product struct {
	ID string `json:"id" dynamodbav:"id"`
	// MerchantID owns the product and is paid for it.
	MerchantID  string      `json:"merchantId,omitempty" dynamodbav:"merchantId,omitempty"`
	Name        Text        `json:"name" dynamodbav:"name"`
	Description Text        `json:"description" dynamodbav:"description"`
	Category    string      `json:"category" dynamodbav:"category"`
	Brand       string      `json:"brand" dynamodbav:"brand"`
	Status      Status      `json:"status" dynamodbav:"status"`
	Attributes  []Attribute `json:"attributes" dynamodbav:"attributes"`
	SKUIDs      []string    `json:"-" dynamodbav:"skuIds"`
	CreatedAt   time.Time   `json:"createdAt" dynamodbav:"createdAt"`
	UpdatedAt   time.Time   `json:"updatedAt" dynamodbav:"updatedAt"`
}

// SKU is a stock-keeping unit: one variant of a product with its price and stock.
type SKU struct {
	ID         string      `json:"id" dynamodbav:"id"`
	ProductID  string      `json:"productId" dynamodbav:"productId"`
	Attributes []Attribute `json:"attributes" dynamodbav:"attributes"`
	Price      money.Money `json:"price" dynamodbav:"price"`
	// Available is the stock that can still be ordered; checkout decrements
	// it under a condition that it stays >= 0.
	Available int64 `json:"available" dynamodbav:"available"`
	// Stock is the stock per location (warehouse or store id); Available
	// is its sum, kept so in the same writes. Empty for a SKU stocked in
	// one place. Both live on the SKU's item, so a placement takes a line
	// from one or more locations in one conditional update; a hot SKU can
	// later be split into shard items (SKU#<id>#S<n>) each holding a slice
	// of this map, with the same update form.
	Stock map[string]int64 `json:"stock,omitempty" dynamodbav:"stock,omitempty"`
}

// ProductDetail is a product with its SKUs, in the product's SKU order.
type ProductDetail struct {
	Product
	SKUs []SKU `json:"skus"`
}

// Service is something a store offers in slots (a table, a fitting, a repair).
type Service struct {
	ID              string `json:"id" dynamodbav:"id"`
	Name            Text   `json:"name" dynamodbav:"name"`
	DurationMinutes int    `json:"durationMinutes" dynamodbav:"durationMinutes"`
}

// Store is a physical store where orders are picked up and services booked.
type Store struct {
	ID string `json:"id" dynamodbav:"id"`
	// Region is the province-level region code (SH, BJ, GD, …).
	Region string `json:"region,omitempty" dynamodbav:"region,omitempty"`
	// MerchantID owns the store.
	MerchantID string    `json:"merchantId,omitempty" dynamodbav:"merchantId,omitempty"`
	Name       Text      `json:"name" dynamodbav:"name"`
	City       Text      `json:"city" dynamodbav:"city"`
	Address    Text      `json:"address" dynamodbav:"address"`
	Timezone   string    `json:"timezone" dynamodbav:"timezone"`
	Services   []Service `json:"services" dynamodbav:"services"`
	// NoShowRefundBasisPoints is the part of a booked order refunded when
	// its shopper does not come (0: the payment is kept).
	NoShowRefundBasisPoints int64 `json:"noShowRefundBasisPoints,omitempty" dynamodbav:"noShowRefundBp,omitempty"`
}

// Slot is a bookable time of a store's service with a capacity.
type Slot struct {
	ID        string    `json:"id" dynamodbav:"id"`
	StoreID   string    `json:"storeId" dynamodbav:"storeId"`
	ServiceID string    `json:"serviceId" dynamodbav:"serviceId"`
	Start     time.Time `json:"start" dynamodbav:"start"`
	End       time.Time `json:"end" dynamodbav:"end"`
	Capacity  int       `json:"capacity" dynamodbav:"capacity"`
	// Booked counts bookings; checkout increments it under booked < capacity.
	Booked int `json:"booked" dynamodbav:"booked"`
}

// ParseProductID returns s if it is a well-formed product id, else
// ErrInvalidProduct.
func ParseProductID(s string) (string, error) {
	if !id.Valid(id.Product, s) {
		return "", ErrInvalidProduct
	}
	return s, nil
}

// Validate checks a product's invariants before it is stored.
func (p Product) Validate() error {
	var bad []string
	if !id.Valid(id.Product, p.ID) {
		bad = append(bad, "id")
	}
	if strings.TrimSpace(p.Name.ZH) == "" || strings.TrimSpace(p.Name.EN) == "" {
		bad = append(bad, "name (both zh and en)")
	}
	if p.Status != Active && p.Status != Inactive {
		bad = append(bad, "status")
	}
	if len(p.SKUIDs) == 0 {
		bad = append(bad, "skuIds (at least one)")
	}
	if p.MerchantID != "" && !id.Valid(MerchantPrefix, p.MerchantID) {
		bad = append(bad, "merchantId")
	}
	if len(bad) > 0 {
		return fmt.Errorf("catalog: product %s: invalid %s", p.ID, strings.Join(bad, ", "))
	}
	return nil
}

// Validate checks a SKU's invariants before it is stored.
func (s SKU) Validate() error {
	if !id.Valid(id.SKU, s.ID) || !id.Valid(id.Product, s.ProductID) {
		return fmt.Errorf("catalog: sku %q of product %q: malformed id", s.ID, s.ProductID)
	}
	if err := s.Price.Validate(); err != nil {
		return fmt.Errorf("catalog: sku %s: price: %w", s.ID, err)
	}
	if s.Price.Amount == 0 {
		return fmt.Errorf("catalog: sku %s: price must be positive", s.ID)
	}
	if s.Available < 0 {
		return fmt.Errorf("catalog: sku %s: negative stock", s.ID)
	}
	if len(s.Stock) > 0 {
		var sum int64
		for loc, n := range s.Stock {
			if !ValidLocationID(loc) || n < 0 {
				return fmt.Errorf("catalog: sku %s: stock %d at %q", s.ID, n, loc)
			}
			sum += n
		}
		if sum != s.Available {
			return fmt.Errorf("catalog: sku %s: stock per location sums to %d, available is %d", s.ID, sum, s.Available)
		}
	}
	return nil
}

// Validate checks a slot's invariants before it is stored.
func (s Slot) Validate() error {
	switch {
	case !id.Valid(id.Slot, s.ID) || !id.Valid(id.Store, s.StoreID):
		return fmt.Errorf("catalog: slot %q: malformed id", s.ID)
	case !s.End.After(s.Start):
		return fmt.Errorf("catalog: slot %s: ends before it starts", s.ID)
	case s.Capacity <= 0 || s.Booked < 0 || s.Booked > s.Capacity:
		return fmt.Errorf("catalog: slot %s: capacity %d, booked %d", s.ID, s.Capacity, s.Booked)
	}
	return nil
}
