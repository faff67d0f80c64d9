package catalog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func TestProductRoundTrip(t *testing.T) {
	ctx := context.Background()
	env := awstest.Tables(t, resource.Catalog)
	repo := catalog.NewRepository(awstest.DynamoDB(t), env[resource.Catalog.EnvVar])

	pid := id.New(id.Product)
	skus := []catalog.SKU{
		{ID: id.New(id.SKU), ProductID: pid, Price: money.Money{Amount: 1280, Currency: "CNY"}, Available: 3},
		{ID: id.New(id.SKU), ProductID: pid, Price: money.Money{Amount: 2560, Currency: "CNY"}, Available: 0},
	}
	p := catalog.Product{
		ID: pid, Name: catalog.Text{ZH: "龙井", EN: "Longjing"}, Category: "tea", Status: catalog.Active,
		SKUIDs: []string{skus[1].ID, skus[0].ID}, CreatedAt: time.Now().UTC().Truncate(time.Second),
	}
	if err := repo.Write(ctx, catalog.Batch{Products: []catalog.Product{p}, SKUs: skus}); err != nil {
		t.Fatal(err)
	}
	got, err := repo.Product(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != p.Name || len(got.SKUs) != 2 {
		t.Fatalf("got %+v, want product %s with 2 skus", got, pid)
	}
	// SKUs come back in the product's order.
	if got.SKUs[0].ID != skus[1].ID || got.SKUs[1].Available != 3 || got.SKUs[1].Price.Amount != 1280 {
		t.Errorf("skus = %+v, want product order and stored price/stock", got.SKUs)
	}

	_, err = repo.Product(ctx, id.New(id.Product))
	if !errors.Is(err, catalog.ErrProductNotFound) {
		t.Errorf("unknown product err = %v, want ErrProductNotFound", err)
	}
}

func TestWriteRejectsInvalidItemsAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	env := awstest.Tables(t, resource.Catalog)
	repo := catalog.NewRepository(awstest.DynamoDB(t), env[resource.Catalog.EnvVar])
	pid := id.New(id.Product)
	good := catalog.Product{ID: pid, Name: catalog.Text{ZH: "茶", EN: "Tea"}, Status: catalog.Active, SKUIDs: []string{id.New(id.SKU)}}
	tests := []struct {
		name  string
		batch catalog.Batch
	}{
		{"negative price", catalog.Batch{Products: []catalog.Product{good}, SKUs: []catalog.SKU{{ID: good.SKUIDs[0], ProductID: pid, Price: money.Money{Amount: -1, Currency: "CNY"}}}}},
		{"unknown currency", catalog.Batch{Products: []catalog.Product{good}, SKUs: []catalog.SKU{{ID: good.SKUIDs[0], ProductID: pid, Price: money.Money{Amount: 1, Currency: "XYZ"}}}}},
		{"missing english name", catalog.Batch{Products: []catalog.Product{{ID: pid, Name: catalog.Text{ZH: "茶"}, Status: catalog.Active, SKUIDs: good.SKUIDs}}}},
		{"malformed id", catalog.Batch{Products: []catalog.Product{{ID: "prd_x", Name: good.Name, Status: catalog.Active, SKUIDs: good.SKUIDs}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := repo.Write(ctx, tt.batch); err == nil {
				t.Fatal("want an error")
			}
			if _, err := repo.Product(ctx, pid); !errors.Is(err, catalog.ErrProductNotFound) {
				t.Errorf("product written despite invalid batch: err = %v", err)
			}
		})
	}
}
