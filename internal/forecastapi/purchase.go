package forecastapi

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/idempotency"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/replenish/replenishdb"
)

// Purchase orders: stock a merchant has ordered from its suppliers, which
// the nightly run counts as on order, and which moves into the location's
// stock when it is received.

// PurchaseOrderRequest is the body of POST /merchant/purchase-orders.
type PurchaseOrderRequest struct {
	SKUID      string `json:"skuId"`
	LocationID string `json:"locationId"`
	Quantity   int64  `json:"quantity"`
	// ExpectedAt is a date (yyyy-mm-dd, the start of that day in the
	// business time zone) or an RFC 3339 date-time.
	ExpectedAt string `json:"expectedAt"`
	Reference  string `json:"reference,omitempty"`
}

// ErrPOKeyReused is an Idempotency-Key that made another purchase order.
var ErrPOKeyReused = problem.New(problem.Unprocessable, "this Idempotency-Key was used for a different purchase order")

const maxPOBody = 4096

func (a *API) expectedAt(s string) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", s, a.Demand.Zone); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, problem.Field("expectedAt", "expectedAt must be a date (2026-12-01) or an RFC 3339 date-time")
}

// NewCreatePurchaseOrder builds POST /merchant/purchase-orders.
func NewCreatePurchaseOrder(ctx context.Context) (apigw.Handler, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(a.Log, a.CreatePurchaseOrder), nil
}

// CreatePurchaseOrder answers POST /merchant/purchase-orders: 201 with the
// open purchase order. The SKU must be the merchant's, and the location
// one of its warehouses or stores (404 otherwise). Idempotency-Key
// required: the order's id derives from it, so a retry answers the order
// it made, and the key with another body is 422.
func (a *API) CreatePurchaseOrder(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	var body PurchaseOrderRequest
	if err := apigw.DecodeJSON(req, &body, maxPOBody); err != nil {
		return apigw.Response{}, err
	}
	expected, err := a.expectedAt(body.ExpectedAt)
	if err != nil {
		return apigw.Response{}, err
	}
	key := apigw.Header(req, idempotency.Header)
	if key == "" {
		return apigw.Response{}, idempotency.ErrKeyMissing
	}
	if !idempotency.ValidKey(key) {
		return apigw.Response{}, idempotency.ErrKeyInvalid
	}
	now := a.Now()
	po, err := replenishdb.NewPurchaseOrder(id.Derive(replenishdb.PurchaseOrderPrefix, c.MerchantID+"/"+key),
		body.SKUID, body.LocationID, body.Quantity, expected, body.Reference, c.Subject, now)
	if err != nil {
		return apigw.Response{}, err
	}
	if _, err := a.ownedSKU(ctx, c.MerchantID, po.SKUID); err != nil {
		return apigw.Response{}, err
	}
	found, err := a.Catalog.Lookup(ctx, catalog.Keys{Locations: []string{po.LocationID}})
	if err != nil {
		return apigw.Response{}, err
	}
	if l, ok := found.Locations[po.LocationID]; !ok || l.MerchantID != c.MerchantID {
		return apigw.Response{}, &problem.Error{Code: problem.NotFound, Field: "locationId", Message: "location not found"}
	}
	err = a.Plans.CreatePurchaseOrder(ctx, c.MerchantID, po)
	if errors.Is(err, replenishdb.ErrPOExists) {
		prev, gerr := a.Plans.PurchaseOrder(ctx, c.MerchantID, po.ID)
		if gerr != nil {
			return apigw.Response{}, gerr
		}
		if prev.SKUID != po.SKUID || prev.LocationID != po.LocationID || prev.Quantity != po.Quantity ||
			!prev.ExpectedAt.Equal(po.ExpectedAt) || prev.Reference != po.Reference {
			return apigw.Response{}, ErrPOKeyReused
		}
		resp, jerr := apigw.JSON(http.StatusCreated, prev)
		if jerr == nil {
			resp.Headers[idempotency.ReplayedHeader] = "true"
			resp.Headers["Location"] = "/merchant/purchase-orders/" + prev.ID
		}
		return resp, jerr
	}
	if err != nil {
		return apigw.Response{}, err
	}
	a.Log.Info("purchase order created", "merchant_id", c.MerchantID, "po_id", po.ID, "sku", po.SKUID, "location", po.LocationID,
		"quantity", po.Quantity, "expected_at", po.ExpectedAt)
	resp, err := apigw.JSON(http.StatusCreated, po)
	if err == nil {
		resp.Headers["Location"] = "/merchant/purchase-orders/" + po.ID
	}
	return resp, err
}

// NewListPurchaseOrders builds GET /merchant/purchase-orders.
func NewListPurchaseOrders(ctx context.Context) (apigw.Handler, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(a.Log, a.ListPurchaseOrders), nil
}

// ListPurchaseOrders answers GET /merchant/purchase-orders?status=&skuId=&limit=&cursor=:
// a page of the caller's merchant's purchase orders, in id order.
func (a *API) ListPurchaseOrders(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	q := req.QueryStringParameters
	limit, err := intParam(q, "limit", 50, 1, 100)
	if err != nil {
		return apigw.Response{}, err
	}
	f := replenishdb.POFilter{Status: q["status"], SKUID: q["skuId"]}
	switch f.Status {
	case "", replenishdb.Open, replenishdb.Received, replenishdb.Cancelled:
	default:
		return apigw.Response{}, problem.Field("status", "status must be open, received or cancelled")
	}
	if f.SKUID != "" && !id.Valid(id.SKU, f.SKUID) {
		return apigw.Response{}, problem.Field("skuId", "skuId is malformed: want sku_ followed by 16 characters a-z, 2-7")
	}
	page, err := a.Plans.PurchaseOrders(ctx, c.MerchantID, f, q["cursor"], limit)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, page)
}

func poParam(req apigw.Request) (string, error) {
	po := req.PathParameters["id"]
	if !id.Valid(replenishdb.PurchaseOrderPrefix, po) {
		return "", problem.Field("id", "the purchase order id is malformed: want po_ followed by 16 characters a-z, 2-7")
	}
	return po, nil
}

// optionalBody decodes a JSON body into dst if there is one.
func optionalBody(req apigw.Request, dst any) error {
	raw, err := apigw.Body(req)
	if err != nil || len(bytes.TrimSpace(raw)) == 0 {
		return err
	}
	return apigw.DecodeJSON(req, dst, maxPOBody)
}

// NewReceivePurchaseOrder builds POST /merchant/purchase-orders/{id}/receive.
func NewReceivePurchaseOrder(ctx context.Context) (apigw.Handler, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(a.Log, a.ReceivePurchaseOrder), nil
}

// ReceiveRequest is the optional body of POST /merchant/purchase-orders/{id}/receive.
type ReceiveRequest struct {
	// Quantity is the units delivered (absent: all that is still open).
	Quantity *int64 `json:"quantity"`
}

// ReceivePurchaseOrder answers POST /merchant/purchase-orders/{id}/receive:
// the units delivered (all that is still open, or quantity) move into the
// SKU's stock at the order's location (per-location stock and available,
// what checkout takes from) in one transaction with the order's change,
// conditional on the order's version, so a repeated or racing receipt
// counts once. 200 with the order. A cancelled order is 409, and so is
// receiving an order received in full, or more than it has open. A
// receipt with an Idempotency-Key is recorded under it: a retry answers
// the order as it is (Idempotent-Replayed). A partial receipt needs one,
// since its retry cannot otherwise be told from a second delivery.
func (a *API) ReceivePurchaseOrder(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	poID, err := poParam(req)
	if err != nil {
		return apigw.Response{}, err
	}
	var body ReceiveRequest
	if err := optionalBody(req, &body); err != nil {
		return apigw.Response{}, err
	}
	var qty int64
	if body.Quantity != nil {
		if qty = *body.Quantity; qty < 1 || qty > replenishdb.MaxPOQuantity {
			return apigw.Response{}, problem.Field("quantity", "quantity must be a whole number from 1 to 1000000")
		}
	}
	key := apigw.Header(req, idempotency.Header)
	switch {
	case key == "" && qty > 0:
		return apigw.Response{}, problem.Field(idempotency.Header, "a partial receipt needs an Idempotency-Key, so that its retry counts once")
	case key != "" && !idempotency.ValidKey(key):
		return apigw.Response{}, idempotency.ErrKeyInvalid
	}
	rid := id.New("rcp")
	if key != "" {
		rid = id.Derive("rcp", c.MerchantID+"/"+poID+"/"+key)
	}
	now := a.Now()
	replayed := false
	po, err := a.Plans.UpdatePurchaseOrder(ctx, c.MerchantID, poID, func(ctx context.Context, po *replenishdb.PurchaseOrder) ([]types.TransactWriteItem, error) {
		if r, ok := po.Receipt(rid); ok {
			if qty > 0 && r.Quantity != qty {
				return nil, ErrPOKeyReused
			}
			replayed = true
			return nil, replenishdb.ErrNoChange
		}
		n := qty
		if n == 0 {
			n = po.Open
		}
		if err := po.Receive(rid, n, c.Subject, now); err != nil {
			return nil, err
		}
		return a.Catalog.ReceiptWrites(ctx, po.SKUID, po.LocationID, n)
	})
	if err != nil {
		return apigw.Response{}, err
	}
	resp, err := apigw.JSON(http.StatusOK, po)
	if err != nil {
		return resp, err
	}
	if replayed {
		resp.Headers[idempotency.ReplayedHeader] = "true"
	} else {
		r, _ := po.Receipt(rid)
		a.Log.Info("purchase order received", "merchant_id", c.MerchantID, "po_id", po.ID, "sku", po.SKUID, "location", po.LocationID,
			"quantity", r.Quantity, "open", po.Open, "status", po.Status)
	}
	return resp, nil
}

// NewCancelPurchaseOrder builds POST /merchant/purchase-orders/{id}/cancel.
func NewCancelPurchaseOrder(ctx context.Context) (apigw.Handler, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(a.Log, a.CancelPurchaseOrder), nil
}

// CancelPurchaseOrder answers POST /merchant/purchase-orders/{id}/cancel:
// what the open order has still to deliver is called off (what it
// delivered stays received); 200 with the order. Cancelling a cancelled
// order answers it as it is; an order received in full is 409.
func (a *API) CancelPurchaseOrder(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	poID, err := poParam(req)
	if err != nil {
		return apigw.Response{}, err
	}
	var body struct{}
	if err := optionalBody(req, &body); err != nil {
		return apigw.Response{}, err
	}
	now := a.Now()
	po, err := a.Plans.UpdatePurchaseOrder(ctx, c.MerchantID, poID, func(_ context.Context, po *replenishdb.PurchaseOrder) ([]types.TransactWriteItem, error) {
		return nil, po.Cancel(now)
	})
	if err != nil {
		return apigw.Response{}, err
	}
	a.Log.Info("purchase order cancelled", "merchant_id", c.MerchantID, "po_id", po.ID, "received", po.Received)
	return apigw.JSON(http.StatusOK, po)
}
