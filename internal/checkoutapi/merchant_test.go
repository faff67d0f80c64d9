package checkoutapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

// staffRequest is a request of staff with Cognito groups.
func staffRequest(method, route, orderID, body, key, groups string) apigw.Request {
	path := strings.Replace(strings.SplitN(route, " ", 2)[1], "{id}", orderID, 1)
	r := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: route, RawPath: path, Body: body,
		Headers: map[string]string{"content-type": "application/json"}, PathParameters: map[string]string{"id": orderID}}
	if key != "" {
		r.Headers["idempotency-key"] = key
	}
	r.RequestContext.HTTP.Method, r.RequestContext.HTTP.Path = method, path
	r.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "staff-1", "cognito:groups": groups}},
	}
	return r
}

func guarded(t *testing.T, fn string, newHandler func(context.Context) (apigw.Handler, error)) apigw.Handler {
	t.Helper()
	r, ok := routes.ByFunction(fn)
	if !ok {
		t.Fatalf("no route for %s", fn)
	}
	h, err := lambdafn.Handler(context.Background(), r, newHandler)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// A merchant sees and refunds only orders with lines of its own; anything
// else is a 404 that writes nothing. Operators see every order.
func TestMerchantScoping(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	o := checkouttest.PlaceOrder(t, env, nil) // the first demo product: the tea house's
	checkouttest.Pay(t, env, o)
	if o.Lines[0].MerchantID != demo.TeaHouse {
		t.Fatalf("line merchant %q, want the tea house", o.Lines[0].MerchantID)
	}
	get := guarded(t, "checkout/merchant-get-order", checkoutapi.NewMerchantGetOrder)
	opsGet := guarded(t, "checkout/ops-get-order", checkoutapi.NewOpsGetOrder)
	refund := guarded(t, "checkout/merchant-refund", checkoutapi.NewMerchantRefund)
	own, other := "[merchant:"+demo.TeaHouse+"]", "[merchant:"+demo.Electronics+"]"

	tests := []struct {
		name string
		h    apigw.Handler
		req  apigw.Request
		want int
	}{
		{"own order", get, staffRequest("GET", "GET /merchant/orders/{id}", o.ID, "", "", own), 200},
		{"another merchant's order", get, staffRequest("GET", "GET /merchant/orders/{id}", o.ID, "", "", other), 404},
		{"an unknown order", get, staffRequest("GET", "GET /merchant/orders/{id}", "ord_aaaaaaaaaaaaaaaa", "", "", own), 404},
		{"ops on the merchant route", get, staffRequest("GET", "GET /merchant/orders/{id}", o.ID, "", "", "[ops]"), 403},
		{"ops", opsGet, staffRequest("GET", "GET /ops/orders/{id}", o.ID, "", "", "[ops]"), 200},
		{"refund of another merchant's order", refund, staffRequest("POST", "POST /merchant/orders/{id}/refunds", o.ID, `{"reason":"x"}`, "k1", other), 404},
		{"refund of own order", refund, staffRequest("POST", "POST /merchant/orders/{id}/refunds", o.ID, `{"amount":{"amount":100,"currency":"CNY"}}`, "k2", own), 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := tt.h(ctx, tt.req)
			if err != nil || resp.StatusCode != tt.want {
				t.Fatalf("%d %s, %v; want %d", resp.StatusCode, resp.Body, err, tt.want)
			}
			if err := api.Check(tt.req, resp); err != nil {
				t.Error(err)
			}
			if resp.StatusCode == 200 {
				var got order.Order
				if err := json.Unmarshal([]byte(resp.Body), &got); err != nil || got.ID != o.ID || got.Payment.ClientSecret != "" {
					t.Errorf("order %+v, %v; want it without the client secret", got.Payment, err)
				}
			}
		})
	}
	// The refused refund wrote nothing: one refund, the merchant's own.
	resp, _ := opsGet(ctx, staffRequest("GET", "GET /ops/orders/{id}", o.ID, "", "", "[ops]"))
	var got order.Order
	_ = json.Unmarshal([]byte(resp.Body), &got)
	if len(got.Refunds) != 1 || got.Refunded.Amount != 100 {
		t.Errorf("refunds %+v refunded %v; want only the merchant's own 1.00", got.Refunds, got.Refunded)
	}
}
