package order

import (
	"reflect"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
)

func TestAllocate(t *testing.T) {
	const (
		whs = "whs_aaaaaaaaaaaaaaaa"
		sh  = "sto_shshshshshshshsh"
		bj  = "sto_bjbjbjbjbjbjbjbj"
	)
	locs := map[string]catalog.Location{
		whs: {ID: whs, Region: "ZJ"}, sh: {ID: sh, Region: "SH"}, bj: {ID: bj, Region: "BJ"},
	}
	sku := catalog.SKU{Available: 17, Stock: map[string]int64{whs: 10, sh: 3, bj: 4}}
	ship := func(region string) Fulfilment {
		return Fulfilment{Type: Ship, Address: &Address{Region: region}}
	}
	tests := []struct {
		name     string
		sku      catalog.SKU
		qty      int64
		f        Fulfilment
		want     []Source
		wantHave int64
	}{
		{"the address's region first", sku, 2, ship("SH"), []Source{{sh, 2}}, 17},
		{"region cannot serve: most stock", sku, 5, ship("SH"), []Source{{whs, 5}}, 17},
		{"no region: most stock", sku, 4, ship(""), []Source{{whs, 4}}, 17},
		{"split only when no one location can", sku, 15, ship("BJ"), []Source{{whs, 10}, {bj, 4}, {sh, 1}}, 17},
		{"short in all", sku, 18, ship("SH"), nil, 17},
		{"pickup from the store", sku, 3, Fulfilment{Type: Pickup, StoreID: sh}, []Source{{sh, 3}}, 3},
		{"pickup short at the store, not elsewhere", sku, 4, Fulfilment{Type: Pickup, StoreID: sh}, nil, 3},
		{"pickup at a store without the SKU", sku, 1, Fulfilment{Type: Pickup, StoreID: "sto_nonenonenonenone"}, nil, 0},
		{"a SKU stocked in one place", catalog.SKU{Available: 5}, 5, ship("SH"), nil, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, have := Allocate(tt.sku, tt.qty, tt.f, locs)
			if !reflect.DeepEqual(got, tt.want) || have != tt.wantHave {
				t.Errorf("Allocate = %v, %d; want %v, %d", got, have, tt.want, tt.wantHave)
			}
		})
	}
}
