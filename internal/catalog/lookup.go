package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Keys names catalog items to read together.
type Keys struct {
	Products  []string
	Stores    []string
	Slots     []string
	Locations []string
}

// Found holds the items of a Lookup that exist, by id.
type Found struct {
	Products  map[string]Product
	Stores    map[string]Store
	Slots     map[string]Slot
	Locations map[string]Location
}

// Lookup reads products, stores and slots in one strongly consistent
// BatchGetItem (several if more than 100 keys). Missing items are absent
// from Found.
func (r *Repository) Lookup(ctx context.Context, k Keys) (Found, error) {
	f := Found{Products: map[string]Product{}, Stores: map[string]Store{}, Slots: map[string]Slot{}, Locations: map[string]Location{}}
	var ks []map[string]types.AttributeValue
	seen := map[string]bool{}
	addKey := func(pk string, m map[string]types.AttributeValue) {
		if !seen[pk] {
			seen[pk] = true
			ks = append(ks, m)
		}
	}
	for _, id := range k.Products {
		addKey("PRODUCT#"+id, ProductKey(id))
	}
	for _, id := range k.Stores {
		addKey("STORE#"+id, StoreKey(id))
	}
	for _, id := range k.Slots {
		addKey("SLOT#"+id, SlotKey(id))
	}
	for _, id := range k.Locations {
		addKey("LOCATION#"+id, LocationKey(id))
	}
	for start := 0; start < len(ks); start += maxBatchGet {
		items, err := r.batchGet(ctx, ks[start:min(start+maxBatchGet, len(ks))])
		if err != nil {
			return Found{}, fmt.Errorf("catalog lookup: %w", err)
		}
		for _, it := range items {
			pk, _ := it["pk"].(*types.AttributeValueMemberS)
			if pk == nil {
				continue
			}
			var err error
			switch {
			case strings.HasPrefix(pk.Value, "PRODUCT#"):
				var p productItem
				if err = attributevalue.UnmarshalMap(it, &p); err == nil {
					f.Products[p.ID] = p.Product
				}
			case strings.HasPrefix(pk.Value, "STORE#"):
				var s storeItem
				if err = attributevalue.UnmarshalMap(it, &s); err == nil {
					f.Stores[s.ID] = s.Store
				}
			case strings.HasPrefix(pk.Value, "LOCATION#"):
				var l locationItem
				if err = attributevalue.UnmarshalMap(it, &l); err == nil {
					f.Locations[l.ID] = l.Location
				}
			case strings.HasPrefix(pk.Value, "SLOT#"):
				var s slotItem
				if err = attributevalue.UnmarshalMap(it, &s); err == nil {
					f.Slots[s.ID] = s.Slot
				}
			}
			if err != nil {
				return Found{}, fmt.Errorf("decode %s: %w", pk.Value, err)
			}
		}
	}
	return f, nil
}
