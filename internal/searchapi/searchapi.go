// Package searchapi serves the catalog routes of the HTTP API: product
// detail now, search and listing as they are added.
package searchapi

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
)

// Config is what the search functions read from the environment.
type Config struct {
	CatalogTable string `env:"JIAOYI_TABLE_CATALOG,required,notEmpty"`
	LogLevel     string `env:"LOG_LEVEL" envDefault:"info"`
}

// ProductReader reads a product with its SKUs.
type ProductReader interface {
	Product(ctx context.Context, id string) (catalog.ProductDetail, error)
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

// Get answers GET /products/{id}: the product, its SKUs and their stock.
// A malformed id is 400, an unknown one 404. The response carries an ETag;
// a matching If-None-Match is answered 304 without a body.
func (p *Products) Get(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	productID, err := catalog.ParseProductID(req.PathParameters["id"])
	if err != nil {
		return apigw.Response{}, err
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
	resp, err := apigw.JSON(http.StatusOK, d)
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

func etagMatches(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == etag || v == "*" {
			return true
		}
	}
	return false
}
