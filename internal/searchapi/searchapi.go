// Package searchapi serves the catalog routes of the HTTP API: product
// detail now, search and listing as they are added.
package searchapi

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Config is what the search functions read from the environment.
type Config struct {
	CatalogTable string `env:"JIAOYI_TABLE_CATALOG,required,notEmpty"`
	LogLevel     string `env:"LOG_LEVEL" envDefault:"info"`
}

// ProductReader reads a product with its SKUs, and the stores they are
// stocked at.
type ProductReader interface {
	Product(ctx context.Context, id string) (catalog.ProductDetail, error)
	Lookup(ctx context.Context, k catalog.Keys) (catalog.Found, error)
}

var _ ProductReader = (*catalog.Repository)(nil)

// Products answers product routes.
type Products struct {
	Catalog ProductReader
}

// NewGetProduct builds the GET /products/{id} handler from the environment.
func NewGetProduct(ctx context.Context) (apigw.Handler, error) {
	cfg, err := config.Load[Config]()
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	p := &Products{Catalog: catalog.NewRepository(dynamodb.NewFromConfig(awsCfg), cfg.CatalogTable)}
	return apigw.Wrap(logging.New(os.Stdout, cfg.LogLevel), p.Get), nil
}

// ProductPage is the answer of GET /products/{id}: the product, its SKUs
// with their stock, and the stores a shopper can pick it up at.
type ProductPage struct {
	catalog.ProductDetail
	// Stores are the stores that stock any of the product's SKUs (only the
	// one asked for with ?store=), most available first.
	Stores []StoreAvailability `json:"stores"`
}

// StoreAvailability is what of a product a store has for pickup.
type StoreAvailability struct {
	ID      string       `json:"id"`
	Name    catalog.Text `json:"name"`
	City    catalog.Text `json:"city"`
	Address catalog.Text `json:"address"`
	// Available is each SKU's units at the store, by SKU id.
	Available map[string]int64 `json:"available"`
	// InStock is whether any SKU can be picked up there now.
	InStock bool `json:"inStock"`
}

// Get answers GET /products/{id}: the product, its SKUs and their stock,
// and its pickup availability per store; ?store= narrows that to one
// store (400 if malformed, 404 if there is no such store). A malformed id
// is 400, an unknown one 404. The response carries an ETag; a matching
// If-None-Match is answered 304 without a body.
func (p *Products) Get(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	productID, err := catalog.ParseProductID(req.PathParameters["id"])
	if err != nil {
		return apigw.Response{}, err
	}
	store := query(req).Get("store")
	if store != "" && !id.Valid(id.Store, store) {
		return apigw.Response{}, problem.Field("store", "store must be a store id (sto_…)")
	}
	d, err := p.Catalog.Product(ctx, productID)
	if err != nil {
		return apigw.Response{}, fmt.Errorf("get product: %w", err)
	}
	if d.Attributes == nil {
		d.Attributes = []catalog.Attribute{}
	}
	for i := range d.SKUs {
		if d.SKUs[i].Attributes == nil {
			d.SKUs[i].Attributes = []catalog.Attribute{}
		}
	}
	stores, err := p.availability(ctx, d, store)
	if err != nil {
		return apigw.Response{}, err
	}
	resp, err := apigw.JSON(http.StatusOK, ProductPage{ProductDetail: d, Stores: stores})
	if err != nil {
		return apigw.Response{}, err
	}
	sum := sha256.Sum256([]byte(resp.Body))
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	resp.Headers["ETag"] = etag
	// Stock changes with every order: caches must revalidate.
	resp.Headers["Cache-Control"] = "no-cache"
	if inm := apigw.Header(req, "If-None-Match"); inm != "" && etagMatches(inm, etag) {
		return apigw.Response{StatusCode: http.StatusNotModified, Headers: map[string]string{"ETag": etag, "Cache-Control": "no-cache"}}, nil
	}
	return resp, nil
}

// availability is d's pickup stock per store: the stores its SKUs' stock
// maps name (or only, if set, the store asked for), read in one batch.
func (p *Products) availability(ctx context.Context, d catalog.ProductDetail, only string) ([]StoreAvailability, error) {
	var ids []string
	if only != "" {
		ids = []string{only}
	} else {
		for _, s := range d.SKUs {
			for loc := range s.Stock {
				if id.Valid(id.Store, loc) && !slices.Contains(ids, loc) {
					ids = append(ids, loc)
				}
			}
		}
	}
	out := []StoreAvailability{}
	if len(ids) == 0 {
		return out, nil
	}
	found, err := p.Catalog.Lookup(ctx, catalog.Keys{Stores: ids})
	if err != nil {
		return nil, fmt.Errorf("stores of product %s: %w", d.ID, err)
	}
	if _, ok := found.Stores[only]; only != "" && !ok {
		return nil, (&problem.Error{Code: problem.NotFound, Field: "store", Message: "store not found"})
	}
	for _, sid := range ids {
		st, ok := found.Stores[sid]
		if !ok {
			continue
		}
		a := StoreAvailability{ID: sid, Name: st.Name, City: st.City, Address: st.Address, Available: map[string]int64{}}
		for _, s := range d.SKUs {
			n := s.StockAt(sid)
			a.Available[s.ID] = n
			a.InStock = a.InStock || (n > 0 && d.Status == catalog.Active)
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b StoreAvailability) int {
		return cmp.Or(cmp.Compare(total(b.Available), total(a.Available)), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

func total(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func etagMatches(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == etag || v == "*" {
			return true
		}
	}
	return false
}
