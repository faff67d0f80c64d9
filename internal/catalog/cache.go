package catalog

import (
	"context"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// Cache answers Lookup with products, stores and locations kept for a
// short time, reading only what it does not hold (or holds too long):
// they change rarely and a warm function reads the same few on every
// placement. Slots (their bookings change with every booking) and items
// that do not exist are never kept. Prices and stock live on SKUs, which
// callers read fresh; a product deactivated is still sold for at most
// the TTL. Safe for concurrent use.
type Cache struct {
	repo      *Repository
	products  *expirable.LRU[string, Product]
	stores    *expirable.LRU[string, Store]
	locations *expirable.LRU[string, Location]
}

// NewCache keeps up to size records of each kind for ttl.
func NewCache(r *Repository, size int, ttl time.Duration) *Cache {
	return &Cache{
		repo:      r,
		products:  expirable.NewLRU[string, Product](size, nil, ttl),
		stores:    expirable.NewLRU[string, Store](size, nil, ttl),
		locations: expirable.NewLRU[string, Location](size, nil, ttl),
	}
}

// Lookup is Repository.Lookup, from the cache where it can.
func (c *Cache) Lookup(ctx context.Context, k Keys) (Found, error) {
	f := Found{Products: map[string]Product{}, Stores: map[string]Store{}, Slots: map[string]Slot{}, Locations: map[string]Location{}}
	miss := Keys{
		Products:  cached(c.products, k.Products, f.Products),
		Stores:    cached(c.stores, k.Stores, f.Stores),
		Locations: cached(c.locations, k.Locations, f.Locations),
		Slots:     k.Slots,
	}
	if len(miss.Products)+len(miss.Stores)+len(miss.Slots)+len(miss.Locations) == 0 {
		return f, nil
	}
	read, err := c.repo.Lookup(ctx, miss)
	if err != nil {
		return Found{}, err
	}
	keep(c.products, read.Products, f.Products)
	keep(c.stores, read.Stores, f.Stores)
	keep(c.locations, read.Locations, f.Locations)
	f.Slots = read.Slots
	return f, nil
}

// cached copies the records of ids that lru holds into found and returns
// the ids it does not hold.
func cached[V any](lru *expirable.LRU[string, V], ids []string, found map[string]V) (missed []string) {
	for _, id := range ids {
		if v, ok := lru.Get(id); ok {
			found[id] = v
		} else {
			missed = append(missed, id)
		}
	}
	return missed
}

// keep adds records read to found and to lru.
func keep[V any](lru *expirable.LRU[string, V], read, found map[string]V) {
	for id, v := range read {
		found[id] = v
		lru.Add(id, v)
	}
}
