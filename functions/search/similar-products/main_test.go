package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

// The demo catalog, indexed and published as the rebuild does; then the
// recorded request.
func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	repo := catalog.NewRepository(dynamodb.NewFromConfig(awstest.Config(t)), env[resource.Catalog.EnvVar])
	if _, err := demo.Seed(ctx, repo, time.Now()); err != nil {
		t.Fatal(err)
	}
	r, err := searchapi.NewRebuilder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	resp := checkouttest.APIEventWith(t, searchapi.NewSimilarProducts, "testdata/similar-products.json", nil, 200)
	if !strings.Contains(resp.Body, `"items":[{`) || strings.Contains(resp.Body, `"id":"prd_3ivwjrio456wvnu5"`) {
		t.Errorf("want other products, not the product itself: %s", resp.Body)
	}
}
