package main

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// TestSampleEvent builds the handler the way main does, from the
// environment, and answers the recorded API Gateway event in testdata.
func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	table := env[resource.Catalog.EnvVar]

	b := demo.Catalog()
	p := b.Products[0]
	var skus []catalog.SKU
	for _, s := range b.SKUs {
		if s.ProductID == p.ID {
			skus = append(skus, s)
		}
	}
	if err := catalog.NewRepository(awstest.DynamoDB(t), table).Write(ctx, catalog.Batch{Products: []catalog.Product{p}, SKUs: skus}); err != nil {
		t.Fatal(err)
	}

	h, err := searchapi.NewGetProduct(ctx)
	if err != nil {
		t.Fatal(err)
	}

	raw, err := os.ReadFile("testdata/get-product.json")
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	resp, err := h(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	if err := api.Check(req, resp); err != nil {
		t.Error(err)
	}
	var got catalog.ProductDetail
	if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != p.ID || len(got.SKUs) != len(skus) {
		t.Errorf("got product %s with %d skus, want %s with %d", got.ID, len(got.SKUs), p.ID, len(skus))
	}
}

func TestMissingConfigFailsFast(t *testing.T) {
	t.Setenv(resource.Catalog.EnvVar, "")
	if _, err := searchapi.NewGetProduct(context.Background()); err == nil {
		t.Fatal("want an error naming the missing table variable")
	}
}
