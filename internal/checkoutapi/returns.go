package checkoutapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/idempotency"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// NewRequestReturn builds POST /orders/{id}/returns.
func NewRequestReturn(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).RequestReturn)
}

// NewApproveReturn builds POST /merchant/returns/{id}/approve.
func NewApproveReturn(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, func(a *API, ctx context.Context, req apigw.Request) (apigw.Response, error) {
		return a.DecideReturn(ctx, req, true)
	})
}

// NewRejectReturn builds POST /merchant/returns/{id}/reject.
func NewRejectReturn(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, func(a *API, ctx context.Context, req apigw.Request) (apigw.Response, error) {
		return a.DecideReturn(ctx, req, false)
	})
}

// NewReceiveReturn builds POST /merchant/returns/{id}/receive.
func NewReceiveReturn(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).ReceiveReturn)
}

// RequestReturn answers POST /orders/{id}/returns: 201 with the return.
// Idempotency-Key required: the same key answers the same return.
func (a *API) RequestReturn(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	customer, orderID, err := caller(req)
	if err != nil {
		return apigw.Response{}, err
	}
	var body checkout.ReturnRequest
	if err := apigw.DecodeJSON(req, &body, MaxBody); err != nil {
		return apigw.Response{}, err
	}
	if err := body.Validate(); err != nil {
		return apigw.Response{}, err
	}
	body.Key = apigw.Header(req, idempotency.Header)
	return a.Idempotency.Do(ctx, req, func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		r, err := a.Checkout.RequestReturn(ctx, customer, orderID, body)
		if err != nil {
			return apigw.Response{}, err
		}
		resp, err := apigw.JSON(http.StatusCreated, r)
		if err == nil {
			resp.Headers["Location"] = "/orders/" + orderID
		}
		return resp, err
	})
}

// Decision is the body of a merchant's decision on a return.
type Decision struct {
	Note string `json:"note,omitempty"`
}

// staffMerchant is the merchant a staff caller acts for ("" for ops).
func staffMerchant(ctx context.Context) (string, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return "", err
	}
	if c.Role == access.Ops {
		return "", nil
	}
	return c.MerchantID, nil
}

// DecideReturn answers POST /merchant/returns/{id}/approve and /reject:
// the return. Approval refunds its value once (a repeat answers the same
// return and refund); deciding a decided return the other way is 409.
func (a *API) DecideReturn(ctx context.Context, req apigw.Request, approve bool) (apigw.Response, error) {
	var body Decision
	if strings.TrimSpace(req.Body) != "" {
		if err := apigw.DecodeJSON(req, &body, MaxBody); err != nil {
			return apigw.Response{}, err
		}
	}
	if len(body.Note) > 500 {
		return apigw.Response{}, problem.Field("note", "note must be at most 500 characters")
	}
	merchant, err := staffMerchant(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	r, err := a.Checkout.DecideReturn(ctx, req.PathParameters["id"], merchant, approve, body.Note)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, r)
}

// Receipt is the body of POST /merchant/returns/{id}/receive.
type Receipt struct {
	// Resellable goods go back to stock at the location they came from.
	Resellable *bool `json:"resellable"`
}

// ReceiveReturn answers POST /merchant/returns/{id}/receive: the goods of
// an approved return are back; resellable ones restock, once.
func (a *API) ReceiveReturn(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	var body Receipt
	if err := apigw.DecodeJSON(req, &body, MaxBody); err != nil {
		return apigw.Response{}, err
	}
	if body.Resellable == nil {
		return apigw.Response{}, problem.Field("resellable", "say whether the goods can be sold again")
	}
	merchant, err := staffMerchant(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	r, err := a.Checkout.ReceiveReturn(ctx, req.PathParameters["id"], merchant, *body.Resellable)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, r)
}
