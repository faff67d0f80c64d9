package forecastapi

import (
	"context"
	"net/http"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/replenish/replenishdb"
)

// errSKUNotFound answers for a SKU that is not the caller's merchant's,
// as for one that does not exist.
var errSKUNotFound = problem.New(problem.NotFound, "SKU not found")

func skuParam(req apigw.Request) (string, error) {
	sku := req.PathParameters["skuId"]
	if !id.Valid(id.SKU, sku) {
		return "", problem.Field("skuId", "skuId is malformed: want sku_ followed by 16 characters a-z, 2-7")
	}
	return sku, nil
}

// ownedSKU reads the SKU if it is merchantID's. Returns errSKUNotFound
// otherwise.
func (a *API) ownedSKU(ctx context.Context, merchantID, skuID string) (catalog.SKU, error) {
	skus, err := a.Catalog.SKUs(ctx, []string{skuID})
	if err != nil {
		return catalog.SKU{}, err
	}
	s, ok := skus[skuID]
	if !ok {
		return catalog.SKU{}, errSKUNotFound
	}
	found, err := a.Catalog.Lookup(ctx, catalog.Keys{Products: []string{s.ProductID}})
	if err != nil {
		return catalog.SKU{}, err
	}
	if p, ok := found.Products[s.ProductID]; !ok || p.MerchantID != merchantID {
		return catalog.SKU{}, errSKUNotFound
	}
	return s, nil
}

// policy returns the merchant's policy in force: its own, or the default.
func (a *API) policy(ctx context.Context, merchantID string) (replenishdb.Policy, error) {
	pol, ok, err := a.Plans.Policy(ctx, merchantID)
	if err != nil || !ok {
		return a.Defaults, err
	}
	return pol, nil
}

// SKUTerms is the answer of GET and PUT /merchant/replenishment/skus/{skuId}/terms.
type SKUTerms struct {
	SKUID string `json:"skuId"`
	// Terms are the SKU's own ({} when it has none).
	Terms     replenishdb.Terms `json:"terms"`
	UpdatedAt *time.Time        `json:"updatedAt,omitempty"`
	UpdatedBy string            `json:"updatedBy,omitempty"`
	// Policy is the merchant's policy they override.
	Policy replenishdb.Policy `json:"policy"`
	// Effective is what the next run plans the SKU with.
	Effective replenishdb.Effective `json:"effective"`
}

func termsView(skuID string, t replenishdb.SKUTerms, pol replenishdb.Policy) SKUTerms {
	v := SKUTerms{SKUID: skuID, Terms: t.Terms, UpdatedBy: t.UpdatedBy, Policy: pol, Effective: t.Terms.Apply(pol)}
	if !t.UpdatedAt.IsZero() {
		v.UpdatedAt = &t.UpdatedAt
	}
	return v
}

// NewGetTerms builds GET /merchant/replenishment/skus/{skuId}/terms.
func NewGetTerms(ctx context.Context) (apigw.Handler, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(a.Log, a.GetTerms), nil
}

// GetTerms answers GET /merchant/replenishment/skus/{skuId}/terms: the
// SKU's supplier terms, the merchant's policy they override, and what the
// next run plans the SKU with. Another merchant's SKU is a 404.
func (a *API) GetTerms(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	sku, err := skuParam(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if _, err := a.ownedSKU(ctx, c.MerchantID, sku); err != nil {
		return apigw.Response{}, err
	}
	pol, err := a.policy(ctx, c.MerchantID)
	if err != nil {
		return apigw.Response{}, err
	}
	terms, err := a.Plans.Terms(ctx, c.MerchantID, []string{sku})
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, termsView(sku, terms[sku], pol))
}

// NewPutTerms builds PUT /merchant/replenishment/skus/{skuId}/terms.
func NewPutTerms(ctx context.Context) (apigw.Handler, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(a.Log, a.PutTerms), nil
}

// PutTerms answers PUT /merchant/replenishment/skus/{skuId}/terms: it
// replaces the SKU's supplier terms (leadTimeDays, leadTimeSd, packSize,
// minOrder; each optional, at least one; an absent lead time inherits the
// merchant's policy, an absent pack size or minimum order is none), which
// the next nightly run plans the SKU with. A field out of range is a 400
// naming it; another merchant's SKU is a 404.
func (a *API) PutTerms(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	sku, err := skuParam(req)
	if err != nil {
		return apigw.Response{}, err
	}
	var body replenishdb.Terms
	if err := apigw.DecodeJSON(req, &body, 4096); err != nil {
		return apigw.Response{}, err
	}
	if _, err := a.ownedSKU(ctx, c.MerchantID, sku); err != nil {
		return apigw.Response{}, err
	}
	pol, err := a.policy(ctx, c.MerchantID)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := body.Validate(pol); err != nil {
		return apigw.Response{}, err
	}
	t := replenishdb.SKUTerms{SKUID: sku, Terms: body, UpdatedAt: a.Now().UTC(), UpdatedBy: c.Subject}
	if err := a.Plans.PutTerms(ctx, c.MerchantID, t); err != nil {
		return apigw.Response{}, err
	}
	a.Log.Info("supplier terms set", "merchant_id", c.MerchantID, "sku", sku, "terms", t.Terms.Apply(pol))
	return apigw.JSON(http.StatusOK, termsView(sku, t, pol))
}
