// Package riskapi serves risk control's operator routes: the review queue
// (list, approve, reject) and the rules and block lists checkout applies.
package riskapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk/riskdb"
)

// MaxBody bounds a request body.
const MaxBody = 64 << 10

// API answers the risk routes.
type API struct {
	Checkout *checkout.Service
	Store    *riskdb.Store
}

// ErrInvalidOrderID is a malformed order id in the path.
var ErrInvalidOrderID = problem.Field("id", "order id is malformed: want ord_ followed by 16 characters a-z, 2-7")

// errNoAnalytics is a function deployed without the Analytics table.
var errNoAnalytics = errors.New("riskapi: JIAOYI_TABLE_ANALYTICS is not set")

func build(ctx context.Context, fn func(*API, context.Context, apigw.Request) (apigw.Response, error)) (apigw.Handler, error) {
	svc, cfg, db, log, err := checkout.FromEnv(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.AnalyticsTable == "" {
		return nil, errNoAnalytics
	}
	a := &API{Checkout: svc, Store: riskdb.New(db, cfg.AnalyticsTable)}
	return wrap(log, a, fn), nil
}

func wrap(log *slog.Logger, a *API, fn func(*API, context.Context, apigw.Request) (apigw.Response, error)) apigw.Handler {
	return apigw.Wrap(log, func(ctx context.Context, req apigw.Request) (apigw.Response, error) { return fn(a, ctx, req) })
}

// NewListReviews builds GET /ops/reviews.
func NewListReviews(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).ListReviews)
}

// NewApproveReview builds POST /ops/reviews/{id}/approve.
func NewApproveReview(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).Approve)
}

// NewRejectReview builds POST /ops/reviews/{id}/reject.
func NewRejectReview(ctx context.Context) (apigw.Handler, error) { return build(ctx, (*API).Reject) }

// NewPutRules builds PUT /ops/risk/rules/{scope}.
func NewPutRules(ctx context.Context) (apigw.Handler, error) { return build(ctx, (*API).PutRules) }

// NewAddBlock builds POST /ops/risk/blocks.
func NewAddBlock(ctx context.Context) (apigw.Handler, error) { return build(ctx, (*API).AddBlock) }

// ListReviews answers GET /ops/reviews?limit=N&cursor=C: orders paid and
// held for risk review, oldest first.
func (a *API) ListReviews(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	limit := 20
	if v, ok := req.QueryStringParameters["limit"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return apigw.Response{}, problem.Field("limit", fmt.Sprintf("limit must be a whole number from 1 to %d", checkout.MaxReviewPage))
		}
		limit = n
	}
	page, err := a.Checkout.Reviews(ctx, req.QueryStringParameters["cursor"], limit)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, page)
}

// decision reads the operator and the optional note of a review.
func decision(ctx context.Context, req apigw.Request) (string, checkout.ReviewDecision, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return "", checkout.ReviewDecision{}, err
	}
	var d checkout.ReviewDecision
	if strings.TrimSpace(req.Body) != "" {
		if err := apigw.DecodeJSON(req, &d, MaxBody); err != nil {
			return "", d, err
		}
	}
	if err := d.Validate(); err != nil {
		return "", d, err
	}
	orderID := req.PathParameters["id"]
	if !id.Valid(id.Order, orderID) {
		return "", d, ErrInvalidOrderID
	}
	d.By = c.Subject
	return orderID, d, nil
}

// staff is the order as operators see it (no payment client secret, no
// pickup code).
func staff(o order.Order) order.Order {
	o.Payment.ClientSecret = ""
	if o.Pickup != nil {
		p := *o.Pickup
		p.Code, p.QR = "", ""
		o.Pickup = &p
	}
	return o
}

// Approve answers POST /ops/reviews/{id}/approve: the order, now PAID and
// free to be fulfilled. Repeating it returns the same order; an order not
// awaiting review (a rejected one included) is a 409.
func (a *API) Approve(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	orderID, d, err := decision(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	o, err := a.Checkout.Approve(ctx, orderID, d)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, staff(o))
}

// Reject answers POST /ops/reviews/{id}/reject: the order, CANCELLED with
// its stock given back and its payment refunded in full (once, however
// often it is asked). An order not awaiting review (an approved one
// included) is a 409.
func (a *API) Reject(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	orderID, d, err := decision(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	o, err := a.Checkout.Reject(ctx, orderID, d)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, staff(o))
}

// scope maps the path's scope ("global" or a merchant id) to the store's.
func scope(s string) (string, error) {
	if s == "global" {
		return riskdb.Global, nil
	}
	if !id.Valid(access.MerchantPrefix, s) {
		return "", problem.Field("scope", `scope is "global" or a merchant id (mch_ followed by 16 characters a-z, 2-7)`)
	}
	return riskdb.MerchantScope(s), nil
}

// PutRules answers PUT /ops/risk/rules/{scope}: the rules for every
// merchant ("global", replacing the built-in defaults) or for one merchant
// (mch_…); checkout holds each order to the strictest of the global rules
// and its merchants'. Answers the rules as stored.
func (a *API) PutRules(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	sc, err := scope(req.PathParameters["scope"])
	if err != nil {
		return apigw.Response{}, err
	}
	var r risk.Rules
	if err := apigw.DecodeJSON(req, &r, MaxBody); err != nil {
		return apigw.Response{}, err
	}
	if err := r.Validate(); err != nil {
		return apigw.Response{}, err
	}
	r.UpdatedAt, r.UpdatedBy = a.Checkout.Now().UTC(), c.Subject
	if err := a.Store.PutRules(ctx, sc, r); err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, r)
}

// BlockRequest is the body of POST /ops/risk/blocks.
type BlockRequest struct {
	// Kind is shopper, address or device.
	Kind string `json:"kind"`
	// Value is the shopper's id or the device id; an address is given as
	// Address and stored as its key.
	Value   string         `json:"value,omitempty"`
	Address *order.Address `json:"address,omitempty"`
	// MerchantID limits the entry to one merchant's orders (default: all).
	MerchantID string `json:"merchantId,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// AddBlock answers POST /ops/risk/blocks: 201 with the entry. Orders that
// hit an entry are refused at checkout with a generic reason.
func (a *API) AddBlock(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	var body BlockRequest
	if err := apigw.DecodeJSON(req, &body, MaxBody); err != nil {
		return apigw.Response{}, err
	}
	b := riskdb.Block{Kind: body.Kind, Value: body.Value, Scope: riskdb.Global, Reason: body.Reason, CreatedBy: c.Subject, CreatedAt: a.Checkout.Now().UTC()}
	switch body.Kind {
	case risk.BlockShopper, risk.BlockDevice:
		if body.Address != nil {
			return apigw.Response{}, problem.Field("address", "address is only for kind address")
		}
		if body.Value == "" || len(body.Value) > 128 || strings.IndexFunc(body.Value, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
			return apigw.Response{}, problem.Field("value", "value must be 1 to 128 printable ASCII characters")
		}
	case risk.BlockAddress:
		if body.Value != "" || body.Address == nil {
			return apigw.Response{}, problem.Field("address", "an address entry gives the address (line1, city, country …), not a value")
		}
		if strings.TrimSpace(body.Address.Line1) == "" || strings.TrimSpace(body.Address.City) == "" || len(body.Address.Country) != 2 {
			return apigw.Response{}, problem.Field("address", "an address needs line1, city and a two-letter country")
		}
		ad := body.Address
		b.Value = risk.AddressKey(ad.Line1, ad.Line2, ad.City, ad.PostalCode, ad.Country)
	default:
		return apigw.Response{}, problem.Field("kind", `kind must be "shopper", "address" or "device"`)
	}
	if body.MerchantID != "" {
		if !id.Valid(access.MerchantPrefix, body.MerchantID) {
			return apigw.Response{}, problem.Field("merchantId", "merchantId is malformed: want mch_ followed by 16 characters a-z, 2-7")
		}
		b.Scope = riskdb.MerchantScope(body.MerchantID)
	}
	if len(body.Reason) > 500 {
		return apigw.Response{}, problem.Field("reason", "reason must be at most 500 characters")
	}
	if err := a.Store.PutBlock(ctx, b); err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusCreated, b)
}
