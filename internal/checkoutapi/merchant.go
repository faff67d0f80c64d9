package checkoutapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/idempotency"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
)

// NewMerchantGetOrder builds GET /merchant/orders/{id}.
func NewMerchantGetOrder(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).StaffGet)
}

// NewOpsGetOrder builds GET /ops/orders/{id}.
func NewOpsGetOrder(ctx context.Context) (apigw.Handler, error) { return build(ctx, (*API).StaffGet) }

// NewMerchantRefund builds POST /merchant/orders/{id}/refunds.
func NewMerchantRefund(ctx context.Context) (apigw.Handler, error) { return build(ctx, (*API).Refund) }

// NewOpsRefund builds POST /ops/orders/{id}/refunds.
func NewOpsRefund(ctx context.Context) (apigw.Handler, error) { return build(ctx, (*API).Refund) }

// staffOrder reads the order of the path for merchant staff or an
// operator: a merchant sees only orders with lines of its own (any other
// is a 404, never a hint that it exists), an operator any. The payment's
// client secret is for the shopper only.
func (a *API) staffOrder(ctx context.Context, req apigw.Request) (order.Order, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return order.Order{}, err
	}
	orderID := req.PathParameters["id"]
	if !id.Valid(id.Order, orderID) {
		return order.Order{}, ErrInvalidOrderID
	}
	o, err := a.Checkout.Lookup(ctx, orderID)
	if err != nil {
		return order.Order{}, err
	}
	if c.Role != access.Ops && (c.Role != access.Merchant || !o.HasMerchant(c.MerchantID)) {
		return order.Order{}, checkout.ErrOrderNotFound
	}
	o.Payment.ClientSecret = ""
	if c.Role != access.Ops {
		o.Risk = nil // risk control's word is for operators
	}
	if o.Pickup != nil {
		// The code is the shopper's to show at the counter, never staff's to read.
		p := *o.Pickup
		p.Code, p.QR = "", ""
		o.Pickup = &p
	}
	if o.Booking != nil && o.Booking.CheckIn != nil {
		b, c := *o.Booking, *o.Booking.CheckIn
		c.Code, c.QR = "", ""
		b.CheckIn = &c
		o.Booking = &b
	}
	return o, nil
}

// StaffGet answers GET /merchant/orders/{id} and GET /ops/orders/{id}.
func (a *API) StaffGet(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	o, err := a.staffOrder(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, o)
}

// Refund answers POST /merchant/orders/{id}/refunds and POST
// /ops/orders/{id}/refunds: 201 with the refund. Full or partial, several
// allowed, never above what was captured; Idempotency-Key required. A
// merchant refunds orders with lines of its own; shoppers ask through
// returns.
func (a *API) Refund(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	var body checkout.RefundRequest
	if strings.TrimSpace(req.Body) != "" {
		if err := apigw.DecodeJSON(req, &body, MaxBody); err != nil {
			return apigw.Response{}, err
		}
	}
	if err := body.Validate(); err != nil {
		return apigw.Response{}, err
	}
	o, err := a.staffOrder(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	body.Key = apigw.Header(req, idempotency.Header)
	return a.Idempotency.Do(ctx, req, func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		rec, err := a.Checkout.Refund(ctx, o.ID, body)
		if err != nil {
			return apigw.Response{}, err
		}
		resp, err := apigw.JSON(http.StatusCreated, rec)
		if err == nil {
			resp.Headers["Location"] = "/orders/" + o.ID + "/refunds/" + rec.ID
		}
		return resp, err
	})
}
