package catalogapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalogapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func handler(t *testing.T, fn string, newHandler func(context.Context) (apigw.Handler, error)) apigw.Handler {
	t.Helper()
	r, _ := routes.ByFunction(fn)
	h, err := lambdafn.Handler(context.Background(), r, newHandler)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func request(route string, params map[string]string, body, key, merchantID string) apigw.Request {
	method, path, _ := strings.Cut(route, " ")
	for k, v := range params {
		path = strings.Replace(path, "{"+k+"}", v, 1)
	}
	r := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: route, RawPath: path, Body: body, PathParameters: params,
		Headers: map[string]string{"content-type": "application/json"}}
	if key != "" {
		r.Headers["idempotency-key"] = key
	}
	r.RequestContext.HTTP.Method, r.RequestContext.HTTP.Path = method, path
	r.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "staff", "cognito:groups": "[merchant:" + merchantID + "]"}},
	}
	return r
}

const newProduct = `{"name":{"zh":"白茶饼","en":"White Tea Cake"},"description":{"zh":"福鼎","en":"From Fuding"},"category":"tea","brand":"Fuding",
 "skus":[{"attributes":[{"key":"size","name":{"zh":"规格","en":"Size"},"value":{"zh":"357克","en":"357 g"}}],"price":{"amount":26800,"currency":"CNY"},"available":5}]}`

func TestMerchantCatalog(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	repo := catalog.NewRepository(awstest.DynamoDB(t), env[resource.Catalog.EnvVar])
	if err := repo.Write(ctx, catalog.Batch{Merchants: demo.Merchants()}); err != nil {
		t.Fatal(err)
	}
	create := handler(t, "catalog/create-product", catalogapi.NewCreateProduct)
	list := handler(t, "catalog/list-merchant-products", catalogapi.NewListProducts)
	update := handler(t, "catalog/update-product", catalogapi.NewUpdateProduct)
	updateSKU := handler(t, "catalog/update-sku", catalogapi.NewUpdateSKU)
	call := func(h apigw.Handler, req apigw.Request, want int) apigw.Response {
		t.Helper()
		resp, err := h(ctx, req)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("%s: %d %s, %v; want %d", req.RouteKey, resp.StatusCode, resp.Body, err, want)
		}
		if err := api.Check(req, resp); err != nil {
			t.Error(err)
		}
		return resp
	}

	resp := call(create, request("POST /merchant/products", nil, newProduct, "p-1", demo.TeaHouse), 201)
	var p catalog.ProductDetail
	_ = json.Unmarshal([]byte(resp.Body), &p)
	if p.MerchantID != demo.TeaHouse || len(p.SKUs) != 1 || p.Status != catalog.Active {
		t.Fatalf("created %+v", p)
	}
	again := call(create, request("POST /merchant/products", nil, newProduct, "p-1", demo.TeaHouse), 201)
	var p2 catalog.ProductDetail
	_ = json.Unmarshal([]byte(again.Body), &p2)
	if p2.ID != p.ID || again.Headers["Idempotent-Replayed"] != "true" {
		t.Errorf("retry made %s, want the same product %s, replayed", p2.ID, p.ID)
	}

	bad := []struct {
		name, body, field string
		want              int
	}{
		{"no name", strings.Replace(newProduct, `"zh":"白茶饼"`, `"zh":""`, 1), "name.zh", 400},
		{"bad category", strings.Replace(newProduct, `"category":"tea"`, `"category":"Tea Leaves"`, 1), "category", 400},
		{"no skus", `{"name":{"zh":"a","en":"a"},"category":"tea","brand":"b","skus":[]}`, "skus", 400},
		{"negative stock", strings.Replace(newProduct, `"available":5`, `"available":-1`, 1), "skus[0].available", 400},
		{"another currency", strings.Replace(newProduct, `"currency":"CNY"`, `"currency":"USD"`, 1), "skus[0].price.currency", 422},
		{"zero price", strings.Replace(newProduct, `"amount":26800`, `"amount":0`, 1), "skus[0].price.amount", 400},
		{"unknown field", strings.Replace(newProduct, `"brand"`, `"colour":"x","brand"`, 1), "colour", 400},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			resp := call(create, request("POST /merchant/products", nil, tt.body, "bad-"+tt.name, demo.TeaHouse), tt.want)
			if !strings.Contains(resp.Body, `"`+tt.field+`"`) {
				t.Errorf("problem %s does not name %s", resp.Body, tt.field)
			}
		})
	}

	page := call(list, request("GET /merchant/products", nil, "", "", demo.TeaHouse), 200)
	if !strings.Contains(page.Body, p.ID) {
		t.Errorf("own list %s lacks %s", page.Body, p.ID)
	}
	if other := call(list, request("GET /merchant/products", nil, "", "", demo.Electronics), 200); strings.Contains(other.Body, p.ID) {
		t.Errorf("another merchant lists %s", p.ID)
	}

	ids := map[string]string{"id": p.ID}
	call(update, request("PATCH /merchant/products/{id}", ids, `{"status":"INACTIVE"}`, "", demo.Electronics), 404)
	call(update, request("PATCH /merchant/products/{id}", ids, `{"status":"SOLD"}`, "", demo.TeaHouse), 400)

	// A price change applies to new orders; a placed one keeps its price.
	svc := checkouttest.Service(t, env, nil)
	o, err := svc.Place(ctx, "alice", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: p.SKUs[0].ID, Quantity: 1}},
		Fulfilment: order.Fulfilment{Type: order.Ship, Address: &order.Address{Name: "n", Phone: "1", Line1: "l", City: "c", Country: "CN"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	skuIDs := map[string]string{"id": p.ID, "skuId": p.SKUs[0].ID}
	call(updateSKU, request("PATCH /merchant/products/{id}/skus/{skuId}", skuIDs, `{"price":{"amount":19900,"currency":"CNY"}}`, "", demo.Electronics), 404)
	call(updateSKU, request("PATCH /merchant/products/{id}/skus/{skuId}", skuIDs, `{"price":{"amount":19900,"currency":"CNY"}}`, "", demo.TeaHouse), 200)
	placed, err := svc.Order(ctx, "alice", o.ID)
	if err != nil || placed.Total.Amount != 26800 {
		t.Errorf("placed order total %v, %v; want the price it was placed at", placed.Total, err)
	}
	// Deactivated: no new orders.
	call(update, request("PATCH /merchant/products/{id}", ids, `{"status":"INACTIVE"}`, "", demo.TeaHouse), 200)
	_, err = svc.Place(ctx, "bob", order.PlaceRequest{Lines: []order.LineRequest{{SKUID: p.SKUs[0].ID, Quantity: 1}},
		Fulfilment: order.Fulfilment{Type: order.Ship, Address: &order.Address{Name: "n", Phone: "1", Line1: "l", City: "c", Country: "CN"}}}, nil)
	if problem.CodeOf(err) != problem.Unprocessable {
		t.Errorf("order of a deactivated product: %v, want 422", err)
	}
}

func TestStockAdjustments(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	checkouttest.SeedDemoProduct(t, env)
	adjust := handler(t, "catalog/adjust-stock", catalogapi.NewAdjustStock)
	sku := demo.Catalog().SKUs[0]
	store := demo.Stores()[0].ID
	body := func(delta int64, reason string) string {
		return fmt.Sprintf(`{"skuId":%q,"locationId":%q,"delta":%d,"reason":%q}`, sku.ID, store, delta, reason)
	}
	call := func(b, key, merchant string) apigw.Response {
		t.Helper()
		resp, err := adjust(ctx, request("POST /merchant/stock/adjustments", nil, b, key, merchant))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	have := sku.Stock[store]
	if r := call(body(5, "receipt"), "a1", demo.TeaHouse); r.StatusCode != 201 || !strings.Contains(r.Body, fmt.Sprintf(`"stock":%d`, have+5)) {
		t.Fatalf("receipt: %d %s", r.StatusCode, r.Body)
	}
	if r := call(body(-(have+6), "damage"), "a2", demo.TeaHouse); r.StatusCode != 409 {
		t.Errorf("below zero: %d %s, want 409", r.StatusCode, r.Body)
	}
	if r := call(body(1, "receipt"), "a3", demo.Electronics); r.StatusCode != 404 {
		t.Errorf("another merchant's SKU: %d %s, want 404", r.StatusCode, r.Body)
	}
	if r := call(body(3, "receipt"), "a1", demo.TeaHouse); r.StatusCode != 422 {
		t.Errorf("the key with another body: %d %s, want 422", r.StatusCode, r.Body)
	}
	for _, bad := range []struct{ body, field string }{
		{body(0, "receipt"), "delta"}, {body(-1, "receipt"), "delta"}, {body(1, "theft"), "reason"},
		{strings.Replace(body(1, "receipt"), store, "loc_x", 1), "locationId"},
	} {
		if r := call(bad.body, "bad", demo.TeaHouse); r.StatusCode != 400 || !strings.Contains(r.Body, bad.field) {
			t.Errorf("%s: %d %s, want 400 naming %s", bad.body, r.StatusCode, r.Body, bad.field)
		}
	}
	repo := catalog.NewRepository(awstest.DynamoDB(t), env[resource.Catalog.EnvVar])
	skus, _ := repo.SKUs(ctx, []string{sku.ID})
	if got := skus[sku.ID]; got.Stock[store] != have+5 || got.Available != sku.Available+5 {
		t.Errorf("stock %v available %d; want only the receipt applied", got.Stock, got.Available)
	}
}
