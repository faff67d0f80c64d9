// Package checkouttest helps the checkout functions' tests: it seeds the
// demo product their recorded events name, places orders, and loads the
// recorded events with a real order id in place of the placeholder.
package checkouttest

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilment"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk/riskdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// Placeholder is the order id in recorded events.
const Placeholder = "ord_aaaaaaaaaaaaaaaa"

// Subject is the customer in recorded events.
const Subject = "7d1c0f7e-8a1b-4c5d-9e2f-3a4b5c6d7e8f"

// SeedDemoProduct writes the demo merchants, the first demo product and
// its SKUs and returns its first SKU's id.
func SeedDemoProduct(t *testing.T, env provision.Env) string {
	t.Helper()
	b := demo.Catalog()
	p := b.Products[0]
	var skus []catalog.SKU
	for _, s := range b.SKUs {
		if s.ProductID == p.ID {
			skus = append(skus, s)
		}
	}
	repo := catalog.NewRepository(awstest.DynamoDB(t), env[resource.Catalog.EnvVar])
	if err := repo.Write(context.Background(), catalog.Batch{Merchants: demo.Merchants(), Locations: demo.Locations(), Stores: demo.Stores(), Products: []catalog.Product{p}, SKUs: skus}); err != nil {
		t.Fatal(err)
	}
	return skus[0].ID
}

// Service returns a checkout service on env whose clock is now.
func Service(t *testing.T, env provision.Env, now func() time.Time) *checkout.Service {
	t.Helper()
	cfg := checkout.Config{
		CatalogTable: env[resource.Catalog.EnvVar], OrdersTable: env[resource.Orders.EnvVar],
		PaymentsTable: env[resource.Payments.EnvVar], TimeoutQueueURL: env[resource.PaymentTimeouts.EnvVar], Hold: 15 * time.Minute,
		EventsTopicARN: env[resource.Events.EnvVar], MaxUnpaidOrders: 100, MaxHeldUnits: 1000,
	}
	db := dynamodb.NewFromConfig(awstest.Config(t))
	svc := checkout.New(db, cfg, sandbox.New(db, cfg.PaymentsTable), awstest.SQS(t), sns.NewFromConfig(awstest.Config(t)))
	if now != nil {
		svc.Now = now
	}
	return svc
}

// PlaceOrder seeds the demo product and places an order of it for Subject.
func PlaceOrder(t *testing.T, env provision.Env, now func() time.Time) order.Order {
	t.Helper()
	sku := SeedDemoProduct(t, env)
	o, err := Service(t, env, now).Place(context.Background(), Subject, order.PlaceRequest{
		Lines: []order.LineRequest{{SKUID: sku, Quantity: 1}},
		Fulfilment: order.Fulfilment{Type: order.Ship, Address: &order.Address{
			Name: "王小明", Phone: "13800000000", Line1: "南京西路1266号", City: "上海", Country: "CN"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// PickupOrder seeds the demo catalog's first product and places a pickup
// order for Subject at the tea house's Jing'an store, of one of its SKUs
// stocked there.
func PickupOrder(t *testing.T, env provision.Env) order.Order {
	t.Helper()
	SeedDemoProduct(t, env)
	store := demo.Stores()[0].ID
	c := demo.Catalog()
	for _, s := range c.SKUs {
		if s.ProductID == c.Products[0].ID && s.Stock[store] > 0 {
			o, err := Service(t, env, nil).Place(context.Background(), Subject, order.PlaceRequest{
				Lines: []order.LineRequest{{SKUID: s.ID, Quantity: 1}}, Fulfilment: order.Fulfilment{Type: order.Pickup, StoreID: store}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
	}
	t.Fatal("no SKU of the first demo product is stocked at the store")
	return order.Order{}
}

// HeldOrder places and pays an order of the demo product for Subject
// that risk control holds for review (a global rule sends every order to
// review): it is PENDING_REVIEW.
func HeldOrder(t *testing.T, env provision.Env) order.Order {
	t.Helper()
	ctx := context.Background()
	sku := SeedDemoProduct(t, env)
	svc := Service(t, env, nil)
	a, err := riskdb.NewAssessor(awstest.DynamoDB(t), env[resource.Analytics.EnvVar], nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Store.PutRules(ctx, riskdb.Global, risk.Rules{ReviewAmount: map[string]int64{"CNY": 1}}); err != nil {
		t.Fatal(err)
	}
	svc.Risk = a
	o, err := svc.Place(ctx, Subject, order.PlaceRequest{
		Lines: []order.LineRequest{{SKUID: sku, Quantity: 1}},
		Fulfilment: order.Fulfilment{Type: order.Ship, Address: &order.Address{
			Name: "王小明", Phone: "13800000000", Line1: "南京西路1266号", City: "上海", Country: "CN"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	Pay(t, env, o)
	return o
}

// IntentPlaceholder is the payment intent id in recorded events.
const IntentPlaceholder = "pi_placeholder"

// Event loads a recorded event into v, with orderID in place of Placeholder.
func Event(t *testing.T, path, orderID string, v any) {
	t.Helper()
	EventWith(t, path, map[string]string{Placeholder: orderID}, v)
}

// EventWith loads a recorded event into v, replacing each key of with by
// its value.
func EventWith(t *testing.T, path string, with map[string]string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	for k, r := range with {
		s = strings.ReplaceAll(s, k, r)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// Pay succeeds the order's intent at the sandbox and applies the success.
func Pay(t *testing.T, env provision.Env, o order.Order) {
	t.Helper()
	ctx := context.Background()
	if _, err := sandbox.New(awstest.DynamoDB(t), env[resource.Payments.EnvVar]).Succeed(ctx, o.Payment.ID); err != nil {
		t.Fatal(err)
	}
	ev := payment.Event{Provider: "sandbox", ID: "evt_pay_" + o.ID, Type: payment.EventSucceeded, IntentID: o.Payment.ID, OrderID: o.ID, Amount: o.Total}
	if err := Service(t, env, nil).ApplyPayment(ctx, ev); err != nil {
		t.Fatal(err)
	}
}

// APIEvent builds a handler with newHandler from the environment, answers
// the recorded API Gateway event at path (orderID in place of the
// placeholder), checks the status and the contract, and returns the answer.
func APIEvent(t *testing.T, newHandler func(context.Context) (apigw.Handler, error), path, orderID string, wantStatus int) apigw.Response {
	t.Helper()
	return APIEventWith(t, newHandler, path, map[string]string{Placeholder: orderID}, wantStatus)
}

// APIEventWith is APIEvent replacing each key of with by its value.
func APIEventWith(t *testing.T, newHandler func(context.Context) (apigw.Handler, error), path string, with map[string]string, wantStatus int) apigw.Response {
	t.Helper()
	ctx := context.Background()
	var req events.APIGatewayV2HTTPRequest
	EventWith(t, path, with, &req)
	// Guarded by the route's roles, as the function runs it.
	var route routes.Route
	for _, r := range routes.All() {
		if r.Key() == req.RouteKey {
			route = r
		}
	}
	h, err := lambdafn.Handler(ctx, route, newHandler)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h(ctx, req)
	if err != nil || resp.StatusCode != wantStatus {
		t.Fatalf("%d %s %v, want %d", resp.StatusCode, resp.Body, err, wantStatus)
	}
	if err := api.Check(req, resp); err != nil {
		t.Error(err)
	}
	return resp
}

// PickedUpOrder places and pays a pickup order for Subject, makes it
// ready and redeems its code at the store: an order handed over.
func PickedUpOrder(t *testing.T, env provision.Env) order.Order {
	t.Helper()
	ctx := context.Background()
	o := PickupOrder(t, env)
	Pay(t, env, o)
	f := fulfilment.New(awstest.DynamoDB(t), env[resource.Orders.EnvVar], sns.NewFromConfig(awstest.Config(t)), env[resource.Events.EnvVar])
	code, err := f.Ready(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Redeem(ctx, o.Fulfilment.StoreID, code.Code, "staff-1")
	if err != nil || got.Status != order.PickedUp {
		t.Fatalf("redeem: %s %v", got.Status, err)
	}
	return got
}

// ReturnRequested is a picked-up order with a return of one unit of its
// first line asked for; it returns the order and the return's id.
func ReturnRequested(t *testing.T, env provision.Env) (order.Order, string) {
	t.Helper()
	o := PickedUpOrder(t, env)
	req := checkout.ReturnRequest{Reason: "wrong size", Key: "ret-1"}
	req.Lines = append(req.Lines, struct {
		SKUID    string `json:"skuId"`
		Quantity int64  `json:"quantity"`
	}{o.Lines[0].SKUID, 1})
	r, err := Service(t, env, nil).RequestReturn(context.Background(), Subject, o.ID, req)
	if err != nil {
		t.Fatal(err)
	}
	return o, r.ID
}

// BookedOrder places and pays, for Subject, a pickup order at the tea
// house's Jing'an store with a booking of its first slot tomorrow; the
// payment issues the booking's check-in code.
func BookedOrder(t *testing.T, env provision.Env) order.Order {
	t.Helper()
	ctx := context.Background()
	o := PickupOrder(t, env) // seeds the product and the store
	store := demo.Stores()[0]
	slots, err := demo.Slots(store, time.Now().AddDate(0, 0, 1))
	if err != nil || len(slots) == 0 {
		t.Fatalf("demo slots: %v", err)
	}
	repo := catalog.NewRepository(awstest.DynamoDB(t), env[resource.Catalog.EnvVar])
	if err := repo.Write(ctx, catalog.Batch{Slots: slots[:1]}); err != nil {
		t.Fatal(err)
	}
	booked, err := Service(t, env, nil).Place(ctx, Subject, order.PlaceRequest{
		Lines: []order.LineRequest{{SKUID: o.Lines[0].SKUID, Quantity: 1}}, Fulfilment: order.Fulfilment{Type: order.Pickup, StoreID: store.ID},
		Booking: &order.BookingRequest{StoreID: store.ID, SlotID: slots[0].ID}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	Pay(t, env, booked)
	paid, err := Service(t, env, nil).Lookup(ctx, booked.ID)
	if err != nil {
		t.Fatal(err)
	}
	return paid
}
