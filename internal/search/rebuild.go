package search

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/search/snapshot"
)

// CatalogReader reads every product with its SKUs.
type CatalogReader interface {
	AllProducts(ctx context.Context) ([]catalog.ProductDetail, error)
}

// Scanner is the part of the DynamoDB client CatalogScan uses.
type Scanner interface {
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// CatalogScan reads the whole catalog table with a paginated Scan. It is
// for offline rebuilds only: a scan reads every item.
type CatalogScan struct {
	DB    Scanner
	Table string
}

var _ CatalogReader = CatalogScan{}

// AllProducts returns every product (active or not) with its SKUs.
func (c CatalogScan) AllProducts(ctx context.Context) ([]catalog.ProductDetail, error) {
	var products []catalog.Product
	var skus []catalog.SKU
	in := &dynamodb.ScanInput{
		TableName:                 &c.Table,
		FilterExpression:          aws.String("sk IN (:p, :s)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "PRODUCT"}, ":s": &types.AttributeValueMemberS{Value: "SKU"}},
	}
	for {
		out, err := c.DB.Scan(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("search: scan catalog: %w", err)
		}
		for _, item := range out.Items {
			sk, _ := item["sk"].(*types.AttributeValueMemberS)
			switch {
			case sk != nil && sk.Value == "PRODUCT":
				var p catalog.Product
				if err := attributevalue.UnmarshalMap(item, &p); err != nil {
					return nil, fmt.Errorf("search: decode product: %w", err)
				}
				products = append(products, p)
			case sk != nil && sk.Value == "SKU":
				var s catalog.SKU
				if err := attributevalue.UnmarshalMap(item, &s); err != nil {
					return nil, fmt.Errorf("search: decode sku: %w", err)
				}
				skus = append(skus, s)
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	return Join(products, skus), nil
}

// SalesReader reads how many paid orders held each product.
type SalesReader interface {
	OrderCounts(ctx context.Context, products []string) (map[string]int64, error)
}

// Rebuild reads the catalog and, if sales is not nil, the products' paid
// orders, builds a snapshot of the active products in a temporary
// directory and publishes it to bucket.
func Rebuild(ctx context.Context, reader CatalogReader, sales SalesReader, client snapshot.S3, bucket string) (snapshot.Manifest, error) {
	products, err := reader.AllProducts(ctx)
	if err != nil {
		return snapshot.Manifest{}, err
	}
	var counts map[string]int64
	if sales != nil {
		var ids []string
		for _, p := range products {
			if p.Status == catalog.Active {
				ids = append(ids, p.ID)
			}
		}
		if counts, err = sales.OrderCounts(ctx, ids); err != nil {
			return snapshot.Manifest{}, fmt.Errorf("search: rebuild: %w", err)
		}
	}
	dir, err := os.MkdirTemp("", "search-build-")
	if err != nil {
		return snapshot.Manifest{}, fmt.Errorf("search: rebuild: %w", err)
	}
	defer os.RemoveAll(dir)
	if _, err := BuildWithSales(ctx, products, counts, dir); err != nil {
		return snapshot.Manifest{}, err
	}
	return snapshot.Publish(ctx, client, bucket, dir)
}
