// Package fulfilmentapi serves the fulfilment routes: merchants create
// shipments, make pickup orders ready and redeem pickup codes at their
// stores; carriers post signed tracking events.
package fulfilmentapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilment"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/idempotency"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/signature"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/secrets"
)

// Config is what the fulfilment functions read from the environment.
type Config struct {
	OrdersTable    string `env:"JIAOYI_TABLE_ORDERS,required,notEmpty"`
	CatalogTable   string `env:"JIAOYI_TABLE_CATALOG"`
	EventsTopicARN string `env:"JIAOYI_TOPIC_EVENTS"`
	// CarrierSecrets are carriers' webhook signing secrets:
	// "carrier:secret,carrier:secret" (a carrier twice while one rotates).
	CarrierSecrets []string `env:"JIAOYI_WEBHOOK_SECRETS_CARRIERS" envSeparator:","`
	// WebhookSecretID names the Secrets Manager secret holding them (in AWS).
	WebhookSecretID string `env:"JIAOYI_SECRET_WEBHOOKS"`
	LogLevel        string `env:"LOG_LEVEL" envDefault:"info"`
}

// Secrets returns each carrier's active secrets.
func (c Config) Secrets() map[string][]string {
	out := map[string][]string{}
	for _, cs := range c.CarrierSecrets {
		carrier, secret, ok := strings.Cut(strings.TrimSpace(cs), ":")
		if ok && carrier != "" && secret != "" {
			out[carrier] = append(out[carrier], secret)
		}
	}
	return out
}

// SignatureHeader carries a carrier's webhook signature (HMAC-SHA256 over
// "timestamp.body", as payment providers sign).
const SignatureHeader = "Carrier-Signature"

// API answers the fulfilment routes.
type API struct {
	Fulfilment *fulfilment.Service
	Catalog    *catalog.Repository
	Secrets    map[string][]string
	Now        func() time.Time
	Log        *slog.Logger
}

func deps(ctx context.Context) (*API, error) {
	cfg, err := config.Load[Config]()
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	err = secrets.Fill(ctx, secretsmanager.NewFromConfig(awsCfg), cfg.WebhookSecretID, map[string]func(string){
		secrets.CarrierWebhooks: func(v string) { cfg.CarrierSecrets = strings.Split(v, ",") },
	})
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(awsCfg)
	f := fulfilment.New(db, cfg.OrdersTable, sns.NewFromConfig(awsCfg), cfg.EventsTopicARN)
	f.Metrics = metrics.New(os.Stdout, "fulfilment")
	return &API{Fulfilment: f, Catalog: catalog.NewRepository(db, cfg.CatalogTable), Secrets: cfg.Secrets(), Now: time.Now,
		Log: logging.New(os.Stdout, cfg.LogLevel)}, nil
}

func build(ctx context.Context, fn func(*API, context.Context, apigw.Request) (apigw.Response, error)) (apigw.Handler, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(a.Log, func(ctx context.Context, req apigw.Request) (apigw.Response, error) { return fn(a, ctx, req) }), nil
}

// NewCreateShipment builds POST /merchant/orders/{id}/shipments.
func NewCreateShipment(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).CreateShipment)
}

// NewReady builds POST /merchant/orders/{id}/ready.
func NewReady(ctx context.Context) (apigw.Handler, error) { return build(ctx, (*API).Ready) }

// NewRedeem builds POST /merchant/stores/{id}/redemptions.
func NewRedeem(ctx context.Context) (apigw.Handler, error) { return build(ctx, (*API).Redeem) }

// NewCheckIn builds POST /merchant/stores/{id}/check-ins.
func NewCheckIn(ctx context.Context) (apigw.Handler, error) { return build(ctx, (*API).CheckIn) }

// NewCarrierWebhook builds POST /webhooks/carrier/{carrier}.
func NewCarrierWebhook(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).CarrierWebhook)
}

// MaxBody bounds request bodies.
const MaxBody = 64 << 10

var errBadOrderID = problem.Field("id", "order id is malformed: want ord_ followed by 16 characters a-z, 2-7")

// merchantOrder reads the path's order for staff of a merchant with lines
// on it; any other order is a 404.
func (a *API) merchantOrder(ctx context.Context, req apigw.Request) (order.Order, access.Caller, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return order.Order{}, c, err
	}
	orderID := req.PathParameters["id"]
	if !id.Valid(id.Order, orderID) {
		return order.Order{}, c, errBadOrderID
	}
	o, err := a.Fulfilment.Orders().Get(ctx, orderID)
	if err != nil {
		return order.Order{}, c, err
	}
	if !o.HasMerchant(c.MerchantID) {
		return order.Order{}, c, fulfilment.ErrNotFound
	}
	return o, c, nil
}

// CreateShipment answers POST /merchant/orders/{id}/shipments: 201 with
// the shipment. Idempotency-Key required: the same key returns the same
// shipment.
func (a *API) CreateShipment(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	var body fulfilment.ShipmentRequest
	if err := apigw.DecodeJSON(req, &body, MaxBody); err != nil {
		return apigw.Response{}, err
	}
	if err := body.Validate(); err != nil {
		return apigw.Response{}, err
	}
	body.Key = apigw.Header(req, idempotency.Header)
	if body.Key == "" {
		return apigw.Response{}, idempotency.ErrKeyMissing
	}
	if !idempotency.ValidKey(body.Key) {
		return apigw.Response{}, idempotency.ErrKeyInvalid
	}
	o, _, err := a.merchantOrder(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	sh, err := a.Fulfilment.Ship(ctx, o.ID, body)
	if err != nil {
		return apigw.Response{}, err
	}
	resp, err := apigw.JSON(http.StatusCreated, sh)
	if err == nil {
		resp.Headers["Location"] = "/orders/" + o.ID
	}
	return resp, err
}

// Ready answers POST /merchant/orders/{id}/ready: the pickup order is
// prepared; the shopper's order now shows its pickup code.
func (a *API) Ready(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	o, _, err := a.merchantOrder(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	p, err := a.Fulfilment.Ready(ctx, o.ID)
	if err != nil {
		return apigw.Response{}, err
	}
	// The code is the shopper's to show; staff see that it was issued.
	return apigw.JSON(http.StatusOK, map[string]any{"orderId": o.ID, "status": order.ReadyForPickup, "storeId": p.StoreID, "issuedAt": p.IssuedAt})
}

// RedeemRequest is the body of POST /merchant/stores/{id}/redemptions.
type RedeemRequest struct {
	Code string `json:"code"`
}

// Redeem answers POST /merchant/stores/{id}/redemptions: staff of the
// store's merchant hand over the order waiting under the code, once.
func (a *API) Redeem(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	storeID, code, staff, err := a.storeCode(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	o, err := a.Fulfilment.Redeem(ctx, storeID, code, staff)
	if err != nil {
		return apigw.Response{}, err
	}
	lines := make([]map[string]any, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = map[string]any{"skuId": l.SKUID, "name": l.Name, "quantity": l.Quantity}
	}
	return apigw.JSON(http.StatusOK, map[string]any{"orderId": o.ID, "status": o.Status, "lines": lines})
}

// CheckIn answers POST /merchant/stores/{id}/check-ins {"code"}: a booked
// shopper has arrived; once only, at that store, by its merchant's staff.
func (a *API) CheckIn(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	storeID, code, staff, err := a.storeCode(ctx, req)
	if err != nil {
		return apigw.Response{}, err
	}
	o, err := a.Fulfilment.CheckIn(ctx, storeID, code, staff)
	if err != nil {
		return apigw.Response{}, err
	}
	b := o.Booking
	return apigw.JSON(http.StatusOK, map[string]any{"orderId": o.ID, "slotId": b.SlotID, "serviceId": b.ServiceID,
		"start": b.Start, "end": b.End, "checkedInAt": b.CheckIn.CheckedInAt})
}

// storeCode reads a store's code request: the store of the path (the
// caller's merchant's, else 404), the code of the body, and the caller.
func (a *API) storeCode(ctx context.Context, req apigw.Request) (storeID, code, staff string, err error) {
	storeID = req.PathParameters["id"]
	if !id.Valid(id.Store, storeID) {
		return "", "", "", problem.Field("id", "store id is malformed: want sto_ followed by 16 characters a-z, 2-7")
	}
	var body RedeemRequest
	if err := apigw.DecodeJSON(req, &body, MaxBody); err != nil {
		return "", "", "", err
	}
	if n := len(strings.TrimSpace(body.Code)); n < 4 || n > 32 {
		return "", "", "", problem.Field("code", "code must be the 8 characters the shopper shows")
	}
	c, err := access.Require(ctx)
	if err != nil {
		return "", "", "", err
	}
	found, err := a.Catalog.Lookup(ctx, catalog.Keys{Stores: []string{storeID}})
	if err != nil {
		return "", "", "", err
	}
	if st, ok := found.Stores[storeID]; !ok || st.MerchantID != c.MerchantID {
		return "", "", "", catalog.ErrStoreNotFound
	}
	return storeID, body.Code, c.String(), nil
}

// CarrierWebhook answers POST /webhooks/carrier/{carrier}: a verified
// tracking event is applied once (200 whether it changed anything or
// not, so the carrier stops retrying); a bad signature is 401; an event
// for a parcel jiaoyi did not ship is acknowledged and dropped.
func (a *API) CarrierWebhook(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	carrier := req.PathParameters["carrier"]
	secrets, ok := a.Secrets[carrier]
	if !ok {
		return apigw.Response{}, problem.New(problem.NotFound, "unknown carrier")
	}
	body, err := apigw.Body(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := signature.Verify(apigw.Header(req, SignatureHeader), body, secrets, a.Now()); err != nil {
		return apigw.Response{}, err
	}
	var e fulfilment.CarrierEvent
	if err := json.Unmarshal(body, &e); err != nil {
		return apigw.Response{}, problem.New(problem.Invalid, "the event could not be read").Wrap(err)
	}
	if err := e.Validate(); err != nil {
		return apigw.Response{}, err
	}
	changed, err := a.Fulfilment.Track(ctx, carrier, e)
	if errors.Is(err, fulfilment.ErrUnknownTracking) {
		logging.From(ctx).Info("tracking event for an unknown parcel; ignored", "carrier", carrier, "event_id", e.ID)
		return apigw.JSON(http.StatusOK, map[string]any{"applied": false})
	}
	if err != nil {
		return apigw.Response{}, fmt.Errorf("apply tracking event: %w", err)
	}
	return apigw.JSON(http.StatusOK, map[string]any{"applied": changed})
}
