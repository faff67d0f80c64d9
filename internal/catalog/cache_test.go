package catalog_test

import (
	"context"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// The cache answers a product it read within its TTL without reading it
// again, reads it again after, never keeps what does not exist, and always
// reads slots.
func TestCacheKeepsRecordsForItsTTL(t *testing.T) {
	ctx := context.Background()
	env := awstest.Tables(t, resource.Catalog)
	repo := catalog.NewRepository(awstest.DynamoDB(t), env[resource.Catalog.EnvVar])
	full := demo.Catalog()
	p := full.Products[0]
	store := demo.Stores()[0]
	slots, err := demo.Slots(store, time.Now().AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	slot := slots[0]
	if err := repo.Write(ctx, catalog.Batch{Merchants: full.Merchants, Products: []catalog.Product{p}, Stores: []catalog.Store{store}, Slots: []catalog.Slot{slot}}); err != nil {
		t.Fatal(err)
	}
	const ttl = 300 * time.Millisecond
	cache := catalog.NewCache(repo, 16, ttl)
	later := full.Products[1]
	keys := catalog.Keys{Products: []string{p.ID, later.ID}, Stores: []string{store.ID}, Slots: []string{slot.ID}}
	first, err := cache.Lookup(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if first.Products[p.ID].Status != catalog.Active || len(first.Stores) != 1 || len(first.Slots) != 1 || len(first.Products) != 1 {
		t.Fatalf("first lookup: %+v", first)
	}
	// Change all three in the table: the product is deactivated, the
	// slot booked, the missing product created.
	off, booked := p, slot
	off.Status, booked.Booked = catalog.Inactive, 1
	if err := repo.Write(ctx, catalog.Batch{Products: []catalog.Product{off, later}, Slots: []catalog.Slot{booked}}); err != nil {
		t.Fatal(err)
	}
	got, err := cache.Lookup(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if got.Products[p.ID].Status != catalog.Active {
		t.Error("within the TTL the product was read again")
	}
	if _, ok := got.Products[later.ID]; !ok {
		t.Error("a product that did not exist was kept as missing")
	}
	if got.Slots[slot.ID].Booked != 1 {
		t.Error("a slot was answered from the cache")
	}
	time.Sleep(ttl + 50*time.Millisecond)
	got, err = cache.Lookup(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if got.Products[p.ID].Status != catalog.Inactive {
		t.Error("after the TTL the product was not read again")
	}
}
