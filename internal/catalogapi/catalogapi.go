// Package catalogapi serves merchants' catalog routes: create and list
// their products, change a product's text, category, brand and status
// (activate, deactivate) and a SKU's price and attributes. Every route is
// scoped to the caller's merchant: another merchant's product is a 404.
package catalogapi

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/idempotency"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Config is what the catalog functions read from the environment.
type Config struct {
	CatalogTable string `env:"JIAOYI_TABLE_CATALOG,required,notEmpty"`
	LogLevel     string `env:"LOG_LEVEL" envDefault:"info"`
}

// API answers the merchant catalog routes.
type API struct {
	Catalog *catalog.Manager
	Now     func() time.Time
}

// Limits of merchant input.
const (
	MaxBody     = 64 << 10
	MaxSKUs     = 50
	maxName     = 200
	maxText     = 2000
	maxPageSize = 100
)

func build(ctx context.Context, fn func(*API, context.Context, apigw.Request) (apigw.Response, error)) (apigw.Handler, error) {
	cfg, err := config.Load[Config]()
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(awsCfg)
	a := &API{Catalog: catalog.NewManager(catalog.NewRepository(db, cfg.CatalogTable), db), Now: time.Now}
	return apigw.Wrap(logging.New(os.Stdout, cfg.LogLevel), func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		return fn(a, ctx, req)
	}), nil
}

// NewCreateProduct builds POST /merchant/products.
func NewCreateProduct(ctx context.Context) (apigw.Handler, error) { return build(ctx, (*API).Create) }

// NewListProducts builds GET /merchant/products.
func NewListProducts(ctx context.Context) (apigw.Handler, error) { return build(ctx, (*API).List) }

// NewUpdateProduct builds PATCH /merchant/products/{id}.
func NewUpdateProduct(ctx context.Context) (apigw.Handler, error) { return build(ctx, (*API).Update) }

// NewUpdateSKU builds PATCH /merchant/products/{id}/skus/{skuId}.
func NewUpdateSKU(ctx context.Context) (apigw.Handler, error) { return build(ctx, (*API).UpdateSKU) }

// SKUInput is a new SKU.
type SKUInput struct {
	Attributes []catalog.Attribute `json:"attributes"`
	Price      money.Money         `json:"price"`
	Available  int64               `json:"available"`
}

// CreateRequest is the body of POST /merchant/products.
type CreateRequest struct {
	Name        catalog.Text        `json:"name"`
	Description catalog.Text        `json:"description"`
	Category    string              `json:"category"`
	Brand       string              `json:"brand"`
	Attributes  []catalog.Attribute `json:"attributes"`
	Status      catalog.Status      `json:"status,omitempty"`
	SKUs        []SKUInput          `json:"skus"`
}

var categoryPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)

func text(field string, t catalog.Text, required bool, max int) error {
	for _, v := range []struct{ lang, s string }{{"zh", t.ZH}, {"en", t.EN}} {
		if required && strings.TrimSpace(v.s) == "" {
			return problem.Field(field+"."+v.lang, field+"."+v.lang+" is required")
		}
		if !utf8.ValidString(v.s) || utf8.RuneCountInString(v.s) > max || strings.ContainsRune(v.s, 0) {
			return problem.Field(field+"."+v.lang, fmt.Sprintf("%s.%s must be at most %d characters", field, v.lang, max))
		}
	}
	return nil
}

func attributes(field string, as []catalog.Attribute) error {
	if len(as) > 20 {
		return problem.Field(field, "at most 20 attributes")
	}
	for i, a := range as {
		f := fmt.Sprintf("%s[%d]", field, i)
		if !categoryPattern.MatchString(a.Key) {
			return problem.Field(f+".key", "key must be lower-case letters, digits and dashes, starting with a letter")
		}
		if err := text(f+".name", a.Name, true, maxName); err != nil {
			return err
		}
		if err := text(f+".value", a.Value, true, maxName); err != nil {
			return err
		}
	}
	return nil
}

func status(s catalog.Status) error {
	if s != catalog.Active && s != catalog.Inactive {
		return problem.Field("status", `status must be "ACTIVE" or "INACTIVE"`)
	}
	return nil
}

func price(field string, p money.Money, currency string) error {
	if _, ok := money.Exponent(p.Currency); !ok {
		return problem.Field(field+".currency", "currency must be a supported ISO 4217 code such as CNY")
	}
	if p.Amount < 1 || p.Amount > money.MaxAmount {
		return problem.Field(field+".amount", fmt.Sprintf("amount must be from 1 to %d minor units", money.MaxAmount))
	}
	if p.Currency != currency {
		return &problem.Error{Code: problem.Unprocessable, Field: field + ".currency", Message: "prices are in the merchant's settlement currency, " + currency}
	}
	return nil
}

// Validate checks the request's shape; prices are checked against the
// merchant's currency by the handler.
func (r CreateRequest) Validate() error {
	if err := text("name", r.Name, true, maxName); err != nil {
		return err
	}
	if err := text("description", r.Description, false, maxText); err != nil {
		return err
	}
	if !categoryPattern.MatchString(r.Category) {
		return problem.Field("category", "category must be lower-case letters, digits and dashes, such as tea")
	}
	if strings.TrimSpace(r.Brand) == "" || utf8.RuneCountInString(r.Brand) > 80 {
		return problem.Field("brand", "brand is required, at most 80 characters")
	}
	if err := attributes("attributes", r.Attributes); err != nil {
		return err
	}
	if r.Status != "" {
		if err := status(r.Status); err != nil {
			return err
		}
	}
	if len(r.SKUs) == 0 || len(r.SKUs) > MaxSKUs {
		return problem.Field("skus", fmt.Sprintf("a product has 1 to %d SKUs", MaxSKUs))
	}
	for i, s := range r.SKUs {
		f := fmt.Sprintf("skus[%d]", i)
		if err := attributes(f+".attributes", s.Attributes); err != nil {
			return err
		}
		if s.Available < 0 || s.Available > 1_000_000 {
			return problem.Field(f+".available", "available must be from 0 to 1000000")
		}
	}
	return nil
}

// merchant returns the caller's merchant record.
func (a *API) merchant(ctx context.Context) (catalog.Merchant, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return catalog.Merchant{}, err
	}
	m, err := a.Catalog.Merchant(ctx, c.MerchantID)
	if err != nil {
		if err == catalog.ErrMerchantNotFound {
			return catalog.Merchant{}, problem.New(problem.Forbidden, "the caller's merchant is not registered")
		}
		return catalog.Merchant{}, err
	}
	return m, nil
}

// Create answers POST /merchant/products: 201 with the product and its
// SKUs. Idempotency-Key required: the ids derive from it, so a retry
// returns the product it created.
func (a *API) Create(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	var body CreateRequest
	if err := apigw.DecodeJSON(req, &body, MaxBody); err != nil {
		return apigw.Response{}, err
	}
	if err := body.Validate(); err != nil {
		return apigw.Response{}, err
	}
	key := apigw.Header(req, idempotency.Header)
	if key == "" {
		return apigw.Response{}, idempotency.ErrKeyMissing
	}
	if !idempotency.ValidKey(key) {
		return apigw.Response{}, idempotency.ErrKeyInvalid
	}
	m, err := a.merchant(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	for i, s := range body.SKUs {
		if err := price(fmt.Sprintf("skus[%d].price", i), s.Price, m.Currency); err != nil {
			return apigw.Response{}, err
		}
	}
	now := a.Now().UTC()
	seed := m.ID + "/" + key
	p := catalog.Product{
		ID: id.Derive(id.Product, seed), MerchantID: m.ID, Name: body.Name, Description: body.Description,
		Category: body.Category, Brand: body.Brand, Status: body.Status, Attributes: body.Attributes, CreatedAt: now, UpdatedAt: now,
	}
	if p.Status == "" {
		p.Status = catalog.Active
	}
	if p.Attributes == nil {
		p.Attributes = []catalog.Attribute{}
	}
	skus := make([]catalog.SKU, len(body.SKUs))
	for i, s := range body.SKUs {
		if s.Attributes == nil {
			s.Attributes = []catalog.Attribute{}
		}
		skus[i] = catalog.SKU{ID: id.Derive(id.SKU, seed+"/"+strconv.Itoa(i)), ProductID: p.ID, Attributes: s.Attributes, Price: s.Price, Available: s.Available}
		p.SKUIDs = append(p.SKUIDs, skus[i].ID)
	}
	err = a.Catalog.Create(ctx, p, skus)
	if problem.CodeOf(err) == problem.Conflict {
		// A retry of the same request: answer with what it created.
		d, gerr := a.Catalog.Owned(ctx, m.ID, p.ID)
		if gerr != nil {
			return apigw.Response{}, err
		}
		resp, jerr := apigw.JSON(http.StatusCreated, d)
		if jerr == nil {
			resp.Headers[idempotency.ReplayedHeader] = "true"
		}
		return resp, jerr
	}
	if err != nil {
		return apigw.Response{}, err
	}
	resp, err := apigw.JSON(http.StatusCreated, catalog.ProductDetail{Product: p, SKUs: skus})
	if err == nil {
		resp.Headers["Location"] = "/merchant/products/" + p.ID
	}
	return resp, err
}

// List answers GET /merchant/products?limit=&cursor=: the merchant's
// products, newest first.
func (a *API) List(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	limit := 20
	if v, ok := req.QueryStringParameters["limit"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return apigw.Response{}, problem.Field("limit", fmt.Sprintf("limit must be a whole number from 1 to %d", maxPageSize))
		}
		limit = n
	}
	page, err := a.Catalog.ByMerchant(ctx, c.MerchantID, req.QueryStringParameters["cursor"], limit)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, page)
}

// UpdateRequest is the body of PATCH /merchant/products/{id}: the fields
// to change.
type UpdateRequest struct {
	Name        *catalog.Text        `json:"name,omitempty"`
	Description *catalog.Text        `json:"description,omitempty"`
	Category    *string              `json:"category,omitempty"`
	Brand       *string              `json:"brand,omitempty"`
	Attributes  *[]catalog.Attribute `json:"attributes,omitempty"`
	Status      *catalog.Status      `json:"status,omitempty"`
}

func productID(req apigw.Request) (string, error) {
	return catalog.ParseProductID(req.PathParameters["id"])
}

// Update answers PATCH /merchant/products/{id}: 200 with the product.
// Deactivating stops new orders; orders placed keep their lines.
func (a *API) Update(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	pid, err := productID(req)
	if err != nil {
		return apigw.Response{}, err
	}
	var body UpdateRequest
	if err := apigw.DecodeJSON(req, &body, MaxBody); err != nil {
		return apigw.Response{}, err
	}
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	d, err := a.Catalog.Owned(ctx, c.MerchantID, pid)
	if err != nil {
		return apigw.Response{}, err
	}
	p := d.Product
	if body.Name != nil {
		if err := text("name", *body.Name, true, maxName); err != nil {
			return apigw.Response{}, err
		}
		p.Name = *body.Name
	}
	if body.Description != nil {
		if err := text("description", *body.Description, false, maxText); err != nil {
			return apigw.Response{}, err
		}
		p.Description = *body.Description
	}
	if body.Category != nil {
		if !categoryPattern.MatchString(*body.Category) {
			return apigw.Response{}, problem.Field("category", "category must be lower-case letters, digits and dashes, such as tea")
		}
		p.Category = *body.Category
	}
	if body.Brand != nil {
		if strings.TrimSpace(*body.Brand) == "" || utf8.RuneCountInString(*body.Brand) > 80 {
			return apigw.Response{}, problem.Field("brand", "brand is required, at most 80 characters")
		}
		p.Brand = *body.Brand
	}
	if body.Attributes != nil {
		if err := attributes("attributes", *body.Attributes); err != nil {
			return apigw.Response{}, err
		}
		p.Attributes = *body.Attributes
	}
	if body.Status != nil {
		if err := status(*body.Status); err != nil {
			return apigw.Response{}, err
		}
		p.Status = *body.Status
	}
	p.UpdatedAt = a.Now().UTC()
	if err := a.Catalog.Save(ctx, c.MerchantID, p); err != nil {
		return apigw.Response{}, err
	}
	d.Product = p
	return apigw.JSON(http.StatusOK, d)
}

// SKURequest is the body of PATCH /merchant/products/{id}/skus/{skuId}.
type SKURequest struct {
	Price      *money.Money         `json:"price,omitempty"`
	Attributes *[]catalog.Attribute `json:"attributes,omitempty"`
}

// UpdateSKU answers PATCH /merchant/products/{id}/skus/{skuId}: 200 with
// the SKU. A new price applies to orders placed from now on.
func (a *API) UpdateSKU(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	pid, err := productID(req)
	if err != nil {
		return apigw.Response{}, err
	}
	skuID := req.PathParameters["skuId"]
	if !id.Valid(id.SKU, skuID) {
		return apigw.Response{}, problem.Field("skuId", "skuId is malformed: want sku_ followed by 16 characters a-z, 2-7")
	}
	var body SKURequest
	if err := apigw.DecodeJSON(req, &body, MaxBody); err != nil {
		return apigw.Response{}, err
	}
	m, err := a.merchant(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	d, err := a.Catalog.Owned(ctx, m.ID, pid)
	if err != nil {
		return apigw.Response{}, err
	}
	var sku *catalog.SKU
	for i := range d.SKUs {
		if d.SKUs[i].ID == skuID {
			sku = &d.SKUs[i]
		}
	}
	if sku == nil {
		return apigw.Response{}, fmt.Errorf("sku %s: %w", skuID, catalog.ErrProductNotFound)
	}
	if body.Price != nil {
		if err := price("price", *body.Price, m.Currency); err != nil {
			return apigw.Response{}, err
		}
		sku.Price = *body.Price
	}
	if body.Attributes != nil {
		if err := attributes("attributes", *body.Attributes); err != nil {
			return apigw.Response{}, err
		}
		sku.Attributes = *body.Attributes
	}
	if err := a.Catalog.SetSKU(ctx, m.ID, *sku); err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, sku)
}
