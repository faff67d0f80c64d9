package catalog

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
)

// Batch is a set of catalog items to write together.
type Batch struct {
	Merchants []Merchant
	Locations []Location
	Products  []Product
	SKUs      []SKU
	Stores    []Store
	Slots     []Slot
}

// Items returns the number of items in b.
func (b Batch) Items() int {
	return len(b.Merchants) + len(b.Products) + len(b.SKUs) + len(b.Stores) + len(b.Slots)
}

// Write validates every item of b and then puts them all, overwriting items
// with the same ids (seeding and admin imports; orders never go through it).
// Nothing is written if any item is invalid.
func (r *Repository) Write(ctx context.Context, b Batch) error {
	var items []map[string]types.AttributeValue
	add := func(v any) error {
		m, err := attributevalue.MarshalMap(v)
		if err != nil {
			return fmt.Errorf("encode catalog item: %w", err)
		}
		items = append(items, m)
		return nil
	}
	for _, m := range b.Merchants {
		if err := m.Validate(); err != nil {
			return err
		}
		if err := add(merchantItem{keys{PK: "MERCHANT#" + m.ID, SK: skMerchant, GSI1PK: merchantsPartition, GSI1SK: m.ID}, m}); err != nil {
			return err
		}
	}
	for _, l := range b.Locations {
		if err := l.Validate(); err != nil {
			return err
		}
		if err := add(locationItem{keys{PK: "LOCATION#" + l.ID, SK: skLocation}, l}); err != nil {
			return err
		}
	}
	for _, p := range b.Products {
		if err := p.Validate(); err != nil {
			return err
		}
		if err := add(newProductItem(p)); err != nil {
			return err
		}
	}
	for _, s := range b.SKUs {
		if err := s.Validate(); err != nil {
			return err
		}
		if err := add(skuItem{keys{PK: "SKU#" + s.ID, SK: skSKU}, s}); err != nil {
			return err
		}
	}
	for _, s := range b.Stores {
		if err := add(storeItem{keys{PK: "STORE#" + s.ID, SK: skStore}, s}); err != nil {
			return err
		}
	}
	for _, s := range b.Slots {
		if err := s.Validate(); err != nil {
			return err
		}
		if err := add(slotItem{keys{PK: "SLOT#" + s.ID, SK: skSlot, GSI1PK: "STORE#" + s.StoreID + "#SLOTS", GSI1SK: s.Start.UTC().Format(slotTime) + "#" + s.ServiceID}, s}); err != nil {
			return err
		}
	}
	if err := dynamo.PutAll(ctx, r.db, r.table, items); err != nil {
		return fmt.Errorf("write catalog: %w", err)
	}
	return nil
}

// HasMarker reports whether the marker name was put (see PutMarker).
func (r *Repository) HasMarker(ctx context.Context, name string) (bool, error) {
	out, err := r.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &r.table, Key: key("SEED", name)})
	if err != nil {
		return false, fmt.Errorf("get marker %s: %w", name, err)
	}
	return out.Item != nil, nil
}

// PutMarker records that the write named name has completed, so a later
// seed skips it.
func (r *Repository) PutMarker(ctx context.Context, name string) error {
	_, err := r.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &r.table, Item: key("SEED", name)})
	if err != nil {
		return fmt.Errorf("put marker %s: %w", name, err)
	}
	return nil
}

// newProductItem lays a product out with its indexes: by category (gsi1)
// and by merchant (gsi2), newest first.
func newProductItem(p Product) productItem {
	at := p.CreatedAt.UTC().Format("2006-01-02T15:04:05Z") + "#" + p.ID
	k := keys{PK: "PRODUCT#" + p.ID, SK: skProduct, GSI1PK: "CATEGORY#" + p.Category, GSI1SK: at}
	if p.MerchantID != "" {
		k.GSI2PK, k.GSI2SK = "MERCHANT#"+p.MerchantID, at
	}
	return productItem{k, p}
}
