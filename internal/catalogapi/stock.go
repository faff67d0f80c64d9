package catalogapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/idempotency"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// NewAdjustStock builds POST /merchant/stock/adjustments.
func NewAdjustStock(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).AdjustStock)
}

// AdjustmentRequest is the body of POST /merchant/stock/adjustments.
type AdjustmentRequest struct {
	SKUID      string `json:"skuId"`
	LocationID string `json:"locationId"`
	// Delta is the change in units: positive for a receipt, negative for damage.
	Delta  int64  `json:"delta"`
	Reason string `json:"reason"`
	Note   string `json:"note,omitempty"`
}

// MaxAdjustment bounds one adjustment.
const MaxAdjustment = 1_000_000

// Validate checks the request's shape.
func (r AdjustmentRequest) Validate() error {
	switch {
	case !id.Valid(id.SKU, r.SKUID):
		return problem.Field("skuId", "skuId is malformed: want sku_ followed by 16 characters a-z, 2-7")
	case !catalog.ValidLocationID(r.LocationID):
		return problem.Field("locationId", "locationId must be a warehouse (whs_…) or store (sto_…) id")
	case r.Delta == 0 || r.Delta > MaxAdjustment || r.Delta < -MaxAdjustment:
		return problem.Field("delta", "delta must be a non-zero number of units from -1000000 to 1000000")
	case r.Reason != catalog.AdjustReceipt && r.Reason != catalog.AdjustCount && r.Reason != catalog.AdjustDamage:
		return problem.Field("reason", `reason must be "receipt", "count_correction" or "damage"`)
	case r.Reason == catalog.AdjustReceipt && r.Delta < 0, r.Reason == catalog.AdjustDamage && r.Delta > 0:
		return problem.Field("delta", "a receipt adds units and damage removes them")
	case utf8.RuneCountInString(r.Note) > 200 || strings.ContainsRune(r.Note, 0):
		return problem.Field("note", "note must be at most 200 characters")
	}
	return nil
}

// ErrKeyReused is an Idempotency-Key that made another adjustment.
var ErrKeyReused = problem.New(problem.Unprocessable, "this Idempotency-Key was used for a different adjustment")

// AdjustStock answers POST /merchant/stock/adjustments: 201 with the
// adjustment and the location's new count. Idempotency-Key required: the
// adjustment's id derives from it, so a retry returns the adjustment it
// made, and the key with another body is 422.
func (a *API) AdjustStock(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	var body AdjustmentRequest
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
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	adj := catalog.Adjustment{
		ID: id.Derive("adj", c.MerchantID+"/"+key), MerchantID: c.MerchantID, SKUID: body.SKUID, LocationID: body.LocationID,
		Delta: body.Delta, Reason: body.Reason, Note: body.Note, By: c.Subject, At: a.Now().UTC(),
	}
	done, err := a.Catalog.Adjust(ctx, adj)
	if errors.Is(err, catalog.ErrAdjustmentExists) {
		prev, ok, gerr := a.Catalog.Adjustment(ctx, adj.ID)
		if gerr != nil || !ok {
			return apigw.Response{}, err
		}
		if prev.SKUID != adj.SKUID || prev.LocationID != adj.LocationID || prev.Delta != adj.Delta || prev.Reason != adj.Reason {
			return apigw.Response{}, ErrKeyReused
		}
		resp, jerr := apigw.JSON(http.StatusCreated, prev)
		if jerr == nil {
			resp.Headers[idempotency.ReplayedHeader] = "true"
		}
		return resp, jerr
	}
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusCreated, done)
}
