package checkout_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// located adds a SKU stocked in a warehouse and in the env's store.
func (e *env) located(t *testing.T, warehouse, store int64) (sku, whs string) {
	t.Helper()
	mch := id.New(catalog.MerchantPrefix)
	whs, sku = id.New(catalog.WarehousePrefix), id.New(id.SKU)
	p := catalog.Product{ID: id.New(id.Product), MerchantID: mch, Name: catalog.Text{ZH: "铁观音", EN: "Tieguanyin"}, Category: "tea", Status: catalog.Active, SKUIDs: []string{sku}}
	err := e.catalog.Write(context.Background(), catalog.Batch{
		Locations: []catalog.Location{
			{ID: whs, MerchantID: mch, Kind: catalog.Warehouse, Name: catalog.Text{ZH: "仓", EN: "Warehouse"}, Region: "ZJ"},
			{ID: e.store, MerchantID: mch, Kind: catalog.StoreKind, Name: catalog.Text{ZH: "店", EN: "Store"}, Region: "SH"},
		},
		Products: []catalog.Product{p},
		SKUs: []catalog.SKU{{ID: sku, ProductID: p.ID, Price: money.Money{Amount: 1000, Currency: "CNY"},
			Available: warehouse + store, Stock: map[string]int64{whs: warehouse, e.store: store}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return sku, whs
}

func (e *env) stockAt(t *testing.T, sku string) map[string]int64 {
	t.Helper()
	skus, err := e.catalog.SKUs(context.Background(), []string{sku})
	if err != nil {
		t.Fatal(err)
	}
	return skus[sku].Stock
}

// A pickup takes from the chosen store only: short there is 409 naming
// the store and what it has, though the warehouse has plenty.
func TestPickupIsShortAtTheStoreWhileTheWarehouseHasIt(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	sku, whs := e.located(t, 50, 2)
	_, err := e.svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: sku, Quantity: 3}},
		Fulfilment: order.Fulfilment{Type: order.Pickup, StoreID: e.store}}, nil)
	var p *problem.Error
	if !errors.As(err, &p) || !errors.Is(err, checkout.ErrOutOfStock) {
		t.Fatalf("err = %v, want out of stock", err)
	}
	short, _ := p.Extensions["shortLines"].([]order.ShortLine)
	if len(short) != 1 || short[0].LocationID != e.store || short[0].Available != 2 {
		t.Errorf("short lines %+v, want the store named with 2 left", p.Extensions["shortLines"])
	}
	o, err := e.svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: sku, Quantity: 2}},
		Fulfilment: order.Fulfilment{Type: order.Pickup, StoreID: e.store}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.stockAt(t, sku); got[e.store] != 0 || got[whs] != 50 || e.available(t, sku) != 50 {
		t.Errorf("stock %v, total %d; want the store's 2 taken", got, e.available(t, sku))
	}
	// Released, the units go back where they came from.
	if _, err := e.svc.Cancel(ctx, "alice", o.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.stockAt(t, sku); got[e.store] != 2 || got[whs] != 50 || e.available(t, sku) != 52 {
		t.Errorf("after cancel: stock %v, total %d", got, e.available(t, sku))
	}
}

// 100 racing ship orders over two locations: neither location, nor the
// total, is ever oversold, and every order says where its units come from.
func TestRacingOrdersOverTwoLocationsNeverOversell(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	sku, whs := e.located(t, 30, 20)
	var wg sync.WaitGroup
	var placed, units atomic.Int64
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qty := int64(1 + i%3)
			o, err := e.svc.Place(ctx, "racer", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: sku, Quantity: qty}}, Fulfilment: shipTo()}, nil)
			switch {
			case err == nil:
				placed.Add(1)
				units.Add(qty)
				var n int64
				for _, s := range o.Lines[0].Sources {
					n += s.Quantity
				}
				if n != qty {
					t.Errorf("order %s sources %v, want %d units", o.ID, o.Lines[0].Sources, qty)
				}
			case errors.Is(err, checkout.ErrOutOfStock), errors.Is(err, checkout.ErrBusy):
			default:
				t.Errorf("place: %v", err)
			}
		}()
	}
	wg.Wait()
	got := e.stockAt(t, sku)
	if got[whs] < 0 || got[e.store] < 0 || got[whs]+got[e.store] != e.available(t, sku) || e.available(t, sku) != 50-units.Load() {
		t.Errorf("stock %v, total %d after %d orders of %d units; want never negative, sums kept", got, e.available(t, sku), placed.Load(), units.Load())
	}
	if placed.Load() == 0 {
		t.Error("nothing was placed")
	}
}
