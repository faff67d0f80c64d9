package catalog

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
)

// DynamoDB key layout of the catalog table (pk, sk):
//
//	product  PRODUCT#<id>  PRODUCT   gsi1: CATEGORY#<category>, <createdAt>#<id>; gsi2: MERCHANT#<merchant>, <createdAt>#<id>
//	merchant MERCHANT#<id> MERCHANT
//	location LOCATION#<id> LOCATION  (a warehouse, or a store as a place holding stock)
//	sku      SKU#<id>      SKU       (holds price and stock)
//	store    STORE#<id>    STORE
//	slot     SLOT#<id>     SLOT      gsi1: STORE#<storeId>#SLOTS, <start>#<serviceId>
//	marker   SEED          <name>    (what the demo seed has written)
const (
	skProduct  = "PRODUCT"
	skSKU      = "SKU"
	skStore    = "STORE"
	skSlot     = "SLOT"
	skMerchant = "MERCHANT"
	skLocation = "LOCATION"
)

// LocationKey is the key of a location's item.
func LocationKey(id string) map[string]types.AttributeValue { return key("LOCATION#"+id, skLocation) }

// ProductKey, SKUKey, StoreKey and SlotKey return an item's primary key.
func ProductKey(id string) map[string]types.AttributeValue { return key("PRODUCT#"+id, skProduct) }

// SKUKey returns the primary key of a SKU item.
func SKUKey(id string) map[string]types.AttributeValue { return key("SKU#"+id, skSKU) }

// StoreKey returns the primary key of a store item.
func StoreKey(id string) map[string]types.AttributeValue { return key("STORE#"+id, skStore) }

// SlotKey returns the primary key of a slot item.
func SlotKey(id string) map[string]types.AttributeValue { return key("SLOT#"+id, skSlot) }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk},
		"sk": &types.AttributeValueMemberS{Value: sk},
	}
}

type keys struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI1PK string `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK string `dynamodbav:"gsi1sk,omitempty"`
	GSI2PK string `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK string `dynamodbav:"gsi2sk,omitempty"`
}

type productItem struct {
	keys
	Product
}

type skuItem struct {
	keys
	SKU
}

type storeItem struct {
	keys
	Store
}

type slotItem struct {
	keys
	Slot
}

// DynamoDB is the subset of the DynamoDB client the repository calls.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Repository reads and writes the catalog table.
type Repository struct {
	db    DynamoDB
	table string
}

// NewRepository returns a Repository on table.
func NewRepository(db DynamoDB, table string) *Repository {
	return &Repository{db: db, table: table}
}

// Table returns the physical table name.
func (r *Repository) Table() string { return r.table }

// Product returns the product with its SKUs and their stock. Returns
// ErrProductNotFound if there is no such product.
func (r *Repository) Product(ctx context.Context, productID string) (ProductDetail, error) {
	out, err := r.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &r.table, Key: ProductKey(productID)})
	if err != nil {
		return ProductDetail{}, fmt.Errorf("get product %s: %w", productID, err)
	}
	if out.Item == nil {
		return ProductDetail{}, fmt.Errorf("get product %s: %w", productID, ErrProductNotFound)
	}
	var p productItem
	if err := attributevalue.UnmarshalMap(out.Item, &p); err != nil {
		return ProductDetail{}, fmt.Errorf("decode product %s: %w", productID, err)
	}
	skus, err := r.SKUs(ctx, p.SKUIDs)
	if err != nil {
		return ProductDetail{}, err
	}
	d := ProductDetail{Product: p.Product, SKUs: make([]SKU, 0, len(p.SKUIDs))}
	for _, id := range p.SKUIDs {
		if s, ok := skus[id]; ok {
			d.SKUs = append(d.SKUs, s)
		}
	}
	return d, nil
}

// maxBatchGet is DynamoDB's limit of keys per BatchGetItem.
const maxBatchGet = 100

// SKUs returns the SKUs with the given ids that exist, by id, read
// strongly consistent so stock is current.
func (r *Repository) SKUs(ctx context.Context, ids []string) (map[string]SKU, error) {
	found := make(map[string]SKU, len(ids))
	for start := 0; start < len(ids); start += maxBatchGet {
		end := min(start+maxBatchGet, len(ids))
		ks := make([]map[string]types.AttributeValue, 0, end-start)
		seen := map[string]bool{}
		for _, id := range ids[start:end] {
			if !seen[id] {
				seen[id] = true
				ks = append(ks, SKUKey(id))
			}
		}
		items, err := r.batchGet(ctx, ks)
		if err != nil {
			return nil, fmt.Errorf("get skus: %w", err)
		}
		for _, it := range items {
			var s skuItem
			if err := attributevalue.UnmarshalMap(it, &s); err != nil {
				return nil, fmt.Errorf("decode sku: %w", err)
			}
			found[s.ID] = s.SKU
		}
	}
	return found, nil
}

// batchGet reads keys, strongly consistent.
func (r *Repository) batchGet(ctx context.Context, ks []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	return dynamo.BatchGet(ctx, r.db, r.table, ks, true)
}
