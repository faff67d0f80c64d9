// Package searchtest gives the search functions' tests the demo catalog
// in a function environment, and its index published as the rebuild does.
package searchtest

import (
	"context"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// Seeded sets up a function environment (awstest.FunctionEnv) with the
// demo catalog in its Catalog table and returns the table's repository.
func Seeded(t *testing.T) *catalog.Repository {
	t.Helper()
	env := awstest.FunctionEnv(t)
	repo := catalog.NewRepository(awstest.DynamoDB(t), env[resource.Catalog.EnvVar])
	if _, err := demo.Seed(context.Background(), repo, time.Now()); err != nil {
		t.Fatal(err)
	}
	return repo
}

// Published is Seeded with the catalog's search index built and
// published to the environment's snapshot bucket.
func Published(t *testing.T) *catalog.Repository {
	t.Helper()
	repo := Seeded(t)
	r, err := searchapi.NewRebuilder(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	return repo
}
