package forecastapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/demand"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/replenish/replenishdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

var (
	teaHouse    = "[merchant:" + demo.TeaHouse + "]"
	electronics = "[merchant:" + demo.Electronics + "]"
)

// caller calls routes as their functions run them (roles enforced) and
// checks every answer against the contract.
type caller struct {
	t        *testing.T
	handlers map[string]apigw.Handler
}

func newCaller(t *testing.T) *caller {
	t.Helper()
	c := &caller{t: t, handlers: map[string]apigw.Handler{}}
	for fn, ctor := range map[string]func(context.Context) (apigw.Handler, error){
		"forecast/get-sku-terms":          forecastapi.NewGetTerms,
		"forecast/put-sku-terms":          forecastapi.NewPutTerms,
		"forecast/create-purchase-order":  forecastapi.NewCreatePurchaseOrder,
		"forecast/list-purchase-orders":   forecastapi.NewListPurchaseOrders,
		"forecast/receive-purchase-order": forecastapi.NewReceivePurchaseOrder,
		"forecast/cancel-purchase-order":  forecastapi.NewCancelPurchaseOrder,
		"forecast/list-replenishment":     forecastapi.NewListReplenishment,
	} {
		h, err := lambdafn.Handler(context.Background(), mustRoute(t, fn), ctor)
		if err != nil {
			t.Fatal(err)
		}
		c.handlers[fn] = h
	}
	return c
}

// call answers method path (with query) as the function fn, for a caller
// in groups, with body and an Idempotency-Key if key is not "".
func (c *caller) call(fn, path string, query map[string]string, body, key, groups string) apigw.Response {
	c.t.Helper()
	r := mustRoute(c.t, fn)
	req := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: r.Key(), RawPath: path, Body: body,
		QueryStringParameters: query, Headers: map[string]string{}, PathParameters: map[string]string{}}
	var qs []string
	for k, v := range query {
		qs = append(qs, k+"="+v)
	}
	req.RawQueryString = strings.Join(qs, "&")
	// Path parameters by position in the route's path.
	want, got := strings.Split(r.Path, "/"), strings.Split(path, "/")
	for i, seg := range want {
		if strings.HasPrefix(seg, "{") && i < len(got) {
			req.PathParameters[strings.Trim(seg, "{}")] = got[i]
		}
	}
	if body != "" {
		req.Headers["content-type"] = "application/json"
	}
	if key != "" {
		req.Headers["idempotency-key"] = key
	}
	req.RequestContext.HTTP.Method, req.RequestContext.HTTP.Path = r.Method, path
	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "staff-1", "cognito:groups": groups}},
	}
	resp, err := c.handlers[fn](context.Background(), req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", r.Method, path, err)
	}
	if err := api.Check(req, resp); err != nil {
		c.t.Errorf("%s %s %s: %v", r.Method, path, body, err)
	}
	return resp
}

func decode[T any](t *testing.T, resp apigw.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
		t.Fatalf("%s: %v", resp.Body, err)
	}
	return v
}

// teaLocations returns the demo tea house's warehouse and a store of it,
// and a location of another merchant.
func teaLocations(t *testing.T) (warehouse, store, foreign string) {
	t.Helper()
	for _, l := range demo.Locations() {
		switch {
		case l.MerchantID != demo.TeaHouse:
			foreign = l.ID
		case l.Kind == catalog.Warehouse && warehouse == "":
			warehouse = l.ID
		case l.Kind == catalog.StoreKind && store == "":
			store = l.ID
		}
	}
	if warehouse == "" || store == "" || foreign == "" {
		t.Fatal("the demo locations lack a warehouse, a store or another merchant's location")
	}
	return warehouse, store, foreign
}

// Terms: refused out of range (a 400 naming the field, nothing stored),
// set, read back with the policy they override; another merchant's SKU
// is a 404.
func TestSupplierTerms(t *testing.T) {
	env := awstest.FunctionEnv(t)
	sku := checkouttest.SeedDemoProduct(t, env)
	c := newCaller(t)
	path := "/merchant/replenishment/skus/" + sku + "/terms"
	get := func() forecastapi.SKUTerms {
		t.Helper()
		resp := c.call("forecast/get-sku-terms", path, nil, "", "", teaHouse)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET terms: %d %s", resp.StatusCode, resp.Body)
		}
		return decode[forecastapi.SKUTerms](t, resp)
	}
	if got := get(); !got.Terms.Empty() || got.Effective.LeadTimeDays != got.Policy.LeadTimeDays || got.Effective.PackSize != 0 {
		t.Errorf("terms before any: %+v", got)
	}
	for _, tc := range []struct{ body, field string }{
		{`{}`, "*"}, // no field to name: says to set one
		{`{"leadTimeDays":0}`, "leadTimeDays"},
		{`{"leadTimeDays":366}`, "leadTimeDays"},
		{`{"leadTimeDays":-3}`, "leadTimeDays"},
		{`{"leadTimeDays":10,"leadTimeSd":11}`, "leadTimeSd"},
		{`{"leadTimeSd":-1}`, "leadTimeSd"},
		{`{"leadTimeSd":8}`, "leadTimeSd"}, // over the policy's 7 days
		{`{"packSize":-1}`, "packSize"},
		{`{"packSize":100001}`, "packSize"},
		{`{"packSize":2.5}`, "packSize"},
		{`{"packSize":"24"}`, "packSize"},
		{`{"minOrder":-5}`, "minOrder"},
		{`{"minOrder":100001}`, "minOrder"},
		{`{"minOrder":1e9}`, "minOrder"},
		{`{"packSize":24,"colour":"red"}`, "colour"},
		{`{"leadTimeDays":"soon"}`, "leadTimeDays"},
	} {
		t.Run(tc.body, func(t *testing.T) {
			resp := c.call("forecast/put-sku-terms", path, nil, tc.body, "", teaHouse)
			says := `"field":"` + tc.field + `"`
			if tc.field == "*" {
				says = "set at least one of"
			}
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, says) ||
				resp.Headers["Content-Type"] != "application/problem+json" {
				t.Errorf("PUT %s: %d %s, want a 400 naming %q", tc.body, resp.StatusCode, resp.Body, tc.field)
			}
		})
	}
	if got := get(); !got.Terms.Empty() {
		t.Errorf("refused PUTs stored %+v", got.Terms)
	}
	resp := c.call("forecast/put-sku-terms", path, nil, `{"leadTimeDays":30,"packSize":24,"minOrder":48}`, "", teaHouse)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT terms: %d %s", resp.StatusCode, resp.Body)
	}
	got := get()
	if got.Terms.LeadTimeDays == nil || *got.Terms.LeadTimeDays != 30 || got.Terms.LeadTimeSD != nil || *got.Terms.PackSize != 24 || got.UpdatedAt == nil {
		t.Errorf("terms %+v", got.Terms)
	}
	// The lead time is the SKU's, its deviation and the rest the policy's.
	if e := got.Effective; e.LeadTimeDays != 30 || e.LeadTimeSD != got.Policy.LeadTimeSD || e.ServiceLevel != got.Policy.ServiceLevel || e.PackSize != 24 || e.MinOrder != 48 {
		t.Errorf("effective %+v under policy %+v", e, got.Policy)
	}
	// A deviation over the policy's lead time is fine under the SKU's own.
	if resp := c.call("forecast/put-sku-terms", path, nil, `{"leadTimeDays":30,"leadTimeSd":8}`, "", teaHouse); resp.StatusCode != http.StatusOK {
		t.Errorf("PUT sd 8 of 30 days: %d %s", resp.StatusCode, resp.Body)
	}
	// Replaced, not merged: the pack size is gone.
	if got := get(); got.Terms.PackSize != nil || got.Effective.LeadTimeSD != 8 {
		t.Errorf("after replacing: %+v", got)
	}

	for _, tc := range []struct {
		fn, path, body, groups string
		status                 int
	}{
		{"forecast/get-sku-terms", path, "", electronics, 404},
		{"forecast/put-sku-terms", path, `{"packSize":6}`, electronics, 404},
		{"forecast/get-sku-terms", "/merchant/replenishment/skus/sku_aaaaaaaaaaaaaaaa/terms", "", teaHouse, 404},
		{"forecast/get-sku-terms", "/merchant/replenishment/skus/tea/terms", "", teaHouse, 400},
		{"forecast/put-sku-terms", path, `{"packSize":6}`, "[ops]", 403},
	} {
		if resp := c.call(tc.fn, tc.path, nil, tc.body, "", tc.groups); resp.StatusCode != tc.status {
			t.Errorf("%s %s as %s: %d %s, want %d", tc.fn, tc.path, tc.groups, resp.StatusCode, resp.Body, tc.status)
		}
	}
	if got := get(); got.Terms.PackSize != nil {
		t.Errorf("another merchant changed the terms: %+v", got.Terms)
	}
}

func stockOf(t *testing.T, a *forecastapi.API, sku, location string) (at, available int64) {
	t.Helper()
	skus, err := a.Catalog.SKUs(context.Background(), []string{sku})
	if err != nil {
		t.Fatal(err)
	}
	return skus[sku].StockAt(location), skus[sku].Available
}

func poBody(sku, location string, qty int64, expected string) string {
	return fmt.Sprintf(`{"skuId":%q,"locationId":%q,"quantity":%d,"expectedAt":%q,"reference":"PO-2026-117"}`, sku, location, qty, expected)
}

// A purchase order's life: created once per Idempotency-Key, listed by
// status, received in part (once per key) and in full into the
// location's stock, then closed to further receipts and to cancelling;
// another is cancelled (twice, the same answer) and cannot be received.
func TestPurchaseOrderLifecycle(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	sku := checkouttest.SeedDemoProduct(t, env)
	a, err := forecastapi.NewAPI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := newCaller(t)
	warehouse, store, foreign := teaLocations(t)
	soon := a.Now().AddDate(0, 0, 5).Format("2006-01-02")

	// Refused: a 4xx naming the field, nothing created.
	for _, tc := range []struct {
		body, key, groups string
		status            int
		says              string
	}{
		{poBody(sku, warehouse, 0, soon), "k-bad", teaHouse, 400, "quantity"},
		{poBody(sku, warehouse, 1_000_001, soon), "k-bad", teaHouse, 400, "quantity"},
		{strings.Replace(poBody(sku, warehouse, 5, soon), `"quantity":5`, `"quantity":2.5`, 1), "k-bad", teaHouse, 400, "quantity"},
		{poBody(sku, warehouse, 5, "next week"), "k-bad", teaHouse, 400, "expectedAt"},
		{poBody(sku, warehouse, 5, "2019-01-01"), "k-bad", teaHouse, 400, "expectedAt"},
		{poBody(sku, "paris", 5, soon), "k-bad", teaHouse, 400, "locationId"},
		{poBody("sku_x", warehouse, 5, soon), "k-bad", teaHouse, 400, "skuId"},
		{strings.Replace(poBody(sku, warehouse, 5, soon), "PO-2026-117", strings.Repeat("x", 101), 1), "k-bad", teaHouse, 400, "reference"},
		{poBody(sku, warehouse, 5, soon), "", teaHouse, 400, "Idempotency-Key"},
		{poBody(sku, foreign, 5, soon), "k-bad", teaHouse, 404, "locationId"},
		{poBody(sku, warehouse, 5, soon), "k-bad", electronics, 404, "SKU"},
		{poBody("sku_aaaaaaaaaaaaaaaa", warehouse, 5, soon), "k-bad", teaHouse, 404, "SKU"},
		{poBody(sku, warehouse, 5, soon), "k-bad", "[ops]", 403, ""},
	} {
		resp := c.call("forecast/create-purchase-order", "/merchant/purchase-orders", nil, tc.body, tc.key, tc.groups)
		if resp.StatusCode != tc.status || !strings.Contains(resp.Body, tc.says) {
			t.Errorf("POST %s as %s: %d %s, want %d naming %q", tc.body, tc.groups, resp.StatusCode, resp.Body, tc.status, tc.says)
		}
	}
	list := func(query map[string]string, groups string) replenishdb.POPage {
		t.Helper()
		resp := c.call("forecast/list-purchase-orders", "/merchant/purchase-orders", query, "", "", groups)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %v: %d %s", query, resp.StatusCode, resp.Body)
		}
		return decode[replenishdb.POPage](t, resp)
	}
	if got := list(nil, teaHouse); len(got.PurchaseOrders) != 0 {
		t.Fatalf("refused requests created %+v", got.PurchaseOrders)
	}

	create := func(body, key string) replenishdb.PurchaseOrder {
		t.Helper()
		resp := c.call("forecast/create-purchase-order", "/merchant/purchase-orders", nil, body, key, teaHouse)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: %d %s", body, resp.StatusCode, resp.Body)
		}
		return decode[replenishdb.PurchaseOrder](t, resp)
	}
	po := create(poBody(sku, warehouse, 30, soon), "po-1")
	if po.Status != replenishdb.Open || po.Open != 30 || po.Received != 0 || po.Version != 1 {
		t.Fatalf("new purchase order %+v", po)
	}
	// A retry answers the same order; the key with another body is 422.
	again := c.call("forecast/create-purchase-order", "/merchant/purchase-orders", nil, poBody(sku, warehouse, 30, soon), "po-1", teaHouse)
	if again.StatusCode != 201 || again.Headers["Idempotent-Replayed"] != "true" || decode[replenishdb.PurchaseOrder](t, again).ID != po.ID {
		t.Errorf("retry: %d %v %s", again.StatusCode, again.Headers, again.Body)
	}
	if resp := c.call("forecast/create-purchase-order", "/merchant/purchase-orders", nil, poBody(sku, warehouse, 31, soon), "po-1", teaHouse); resp.StatusCode != 422 {
		t.Errorf("the key with another body: %d %s, want 422", resp.StatusCode, resp.Body)
	}
	other := create(poBody(sku, store, 12, a.Now().Add(48*time.Hour).Format(time.RFC3339)), "po-2")

	if got := list(map[string]string{"status": "open"}, teaHouse); len(got.PurchaseOrders) != 2 {
		t.Errorf("open: %+v, want 2", got.PurchaseOrders)
	}
	if got := list(map[string]string{"status": "open", "limit": "1"}, teaHouse); len(got.PurchaseOrders) != 1 || got.Next == "" {
		t.Errorf("open, limit 1: %+v", got)
	} else if rest := list(map[string]string{"status": "open", "limit": "1", "cursor": got.Next}, teaHouse); len(rest.PurchaseOrders) != 1 || rest.PurchaseOrders[0].ID == got.PurchaseOrders[0].ID {
		t.Errorf("second page %+v", rest)
	}
	if got := list(nil, electronics); len(got.PurchaseOrders) != 0 {
		t.Errorf("another merchant sees %+v", got.PurchaseOrders)
	}
	for _, q := range []map[string]string{{"status": "lost"}, {"skuId": "tea"}, {"limit": "101"}, {"cursor": "abc"}} {
		if resp := c.call("forecast/list-purchase-orders", "/merchant/purchase-orders", q, "", "", teaHouse); resp.StatusCode != 400 {
			t.Errorf("GET %v: %d %s, want 400", q, resp.StatusCode, resp.Body)
		}
	}

	receive := "/merchant/purchase-orders/" + po.ID + "/receive"
	whs0, avail0 := stockOf(t, a, sku, warehouse)
	// A partial receipt needs a key; another merchant's order is not found.
	for _, tc := range []struct {
		body, key, groups string
		status            int
		says              string
	}{
		{`{"quantity":10}`, "", teaHouse, 400, "Idempotency-Key"},
		{`{"quantity":0}`, "r-1", teaHouse, 400, "quantity"},
		{`{"quantity":31}`, "r-1", teaHouse, 409, "quantity"},
		{`{"qty":3}`, "r-1", teaHouse, 400, "qty"},
		{"", "", electronics, 404, ""},
	} {
		if resp := c.call("forecast/receive-purchase-order", receive, nil, tc.body, tc.key, tc.groups); resp.StatusCode != tc.status || !strings.Contains(resp.Body, tc.says) {
			t.Errorf("receive %s as %s: %d %s, want %d naming %q", tc.body, tc.groups, resp.StatusCode, resp.Body, tc.status, tc.says)
		}
	}
	if resp := c.call("forecast/receive-purchase-order", "/merchant/purchase-orders/po_aaaaaaaaaaaaaaaa/receive", nil, "", "", teaHouse); resp.StatusCode != 404 {
		t.Errorf("an unknown order: %d %s", resp.StatusCode, resp.Body)
	}
	if whs, avail := stockOf(t, a, sku, warehouse); whs != whs0 || avail != avail0 {
		t.Fatalf("refused receipts moved stock: %d/%d, was %d/%d", whs, avail, whs0, avail0)
	}
	for range 2 { // the second is a retry: counted once
		resp := c.call("forecast/receive-purchase-order", receive, nil, `{"quantity":10}`, "r-1", teaHouse)
		got := decode[replenishdb.PurchaseOrder](t, resp)
		if resp.StatusCode != 200 || got.Received != 10 || got.Open != 20 || got.Status != replenishdb.Open || len(got.Receipts) != 1 {
			t.Errorf("receive 10: %d %+v", resp.StatusCode, got)
		}
	}
	if whs, avail := stockOf(t, a, sku, warehouse); whs != whs0+10 || avail != avail0+10 {
		t.Errorf("after receiving 10: %d at the warehouse, %d available; want %d, %d", whs, avail, whs0+10, avail0+10)
	}
	resp := c.call("forecast/receive-purchase-order", receive, nil, "", "", teaHouse)
	got := decode[replenishdb.PurchaseOrder](t, resp)
	if resp.StatusCode != 200 || got.Status != replenishdb.Received || got.Received != 30 || got.Open != 0 || len(got.Receipts) != 2 {
		t.Errorf("receive the rest: %d %+v", resp.StatusCode, got)
	}
	if whs, avail := stockOf(t, a, sku, warehouse); whs != whs0+30 || avail != avail0+30 {
		t.Errorf("after receiving all: %d at the warehouse, %d available; want %d, %d", whs, avail, whs0+30, avail0+30)
	}
	if resp := c.call("forecast/receive-purchase-order", receive, nil, "", "", teaHouse); resp.StatusCode != 409 {
		t.Errorf("receiving a received order: %d %s, want 409", resp.StatusCode, resp.Body)
	}
	if resp := c.call("forecast/cancel-purchase-order", "/merchant/purchase-orders/"+po.ID+"/cancel", nil, "", "", teaHouse); resp.StatusCode != 409 {
		t.Errorf("cancelling a received order: %d %s, want 409", resp.StatusCode, resp.Body)
	}

	st0, avail1 := stockOf(t, a, sku, store)
	for range 2 {
		resp := c.call("forecast/cancel-purchase-order", "/merchant/purchase-orders/"+other.ID+"/cancel", nil, "{}", "", teaHouse)
		got := decode[replenishdb.PurchaseOrder](t, resp)
		if resp.StatusCode != 200 || got.Status != replenishdb.Cancelled || got.Open != 0 || got.CancelledAt == nil {
			t.Errorf("cancel: %d %+v", resp.StatusCode, got)
		}
	}
	for _, key := range []string{"", "r-2"} {
		if resp := c.call("forecast/receive-purchase-order", "/merchant/purchase-orders/"+other.ID+"/receive", nil, "", key, teaHouse); resp.StatusCode != 409 || !strings.Contains(resp.Body, "cancelled") {
			t.Errorf("receiving a cancelled order: %d %s, want 409", resp.StatusCode, resp.Body)
		}
	}
	if st, avail := stockOf(t, a, sku, store); st != st0 || avail != avail1 {
		t.Errorf("a cancelled order moved stock: %d/%d, was %d/%d", st, avail, st0, avail1)
	}

	if got := list(map[string]string{"status": "open"}, teaHouse); len(got.PurchaseOrders) != 0 {
		t.Errorf("open after all: %+v", got.PurchaseOrders)
	}
	for status, want := range map[string]string{"received": po.ID, "cancelled": other.ID} {
		if got := list(map[string]string{"status": status, "skuId": sku}, teaHouse); len(got.PurchaseOrders) != 1 || got.PurchaseOrders[0].ID != want {
			t.Errorf("%s: %+v, want %s", status, got.PurchaseOrders, want)
		}
	}
	if got := list(nil, teaHouse); len(got.PurchaseOrders) != 2 {
		t.Errorf("all: %+v", got.PurchaseOrders)
	}
}

// Many receipts of one order at once, with and without keys: its units
// are added to stock exactly once; the losers are told it is received.
func TestConcurrentReceiptsCountOnce(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	sku := checkouttest.SeedDemoProduct(t, env)
	a, err := forecastapi.NewAPI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := newCaller(t)
	warehouse, _, _ := teaLocations(t)
	resp := c.call("forecast/create-purchase-order", "/merchant/purchase-orders", nil, poBody(sku, warehouse, 25, a.Now().Format("2006-01-02")), "race", teaHouse)
	po := decode[replenishdb.PurchaseOrder](t, resp)
	whs0, avail0 := stockOf(t, a, sku, warehouse)
	const racers = 24
	statuses := make([]int, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			key := ""
			if i%2 == 1 {
				key = fmt.Sprintf("racer-%d", i)
			}
			statuses[i] = c.call("forecast/receive-purchase-order", "/merchant/purchase-orders/"+po.ID+"/receive", nil, "", key, teaHouse).StatusCode
		})
	}
	wg.Wait()
	ok := 0
	for i, s := range statuses {
		switch s {
		case 200:
			ok++
		case 409:
		default:
			t.Errorf("racer %d: %d", i, s)
		}
	}
	if ok != 1 {
		t.Errorf("%d receipts succeeded, want 1 (statuses %v)", ok, statuses)
	}
	if whs, avail := stockOf(t, a, sku, warehouse); whs != whs0+25 || avail != avail0+25 {
		t.Errorf("after %d racing receipts: %d at the warehouse, %d available; want %d, %d", racers, whs, avail, whs0+25, avail0+25)
	}
	got, err := a.Plans.PurchaseOrder(ctx, demo.TeaHouse, po.ID)
	if err != nil || got.Status != replenishdb.Received || got.Received != 25 || len(got.Receipts) != 1 {
		t.Errorf("order after the race %+v %v", got, err)
	}
}

// runNightly starts a run and works through all its batches.
func runNightly(t *testing.T, env provision.Env) replenishdb.Run {
	t.Helper()
	ctx := context.Background()
	plan, err := forecastapi.NewPlanForecasts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	work, err := forecastapi.NewRunForecasts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run, err := plan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	client, url := awstest.SQS(t), env[resource.ForecastJobs.EnvVar]
	var ev events.SQSEvent
	for len(ev.Records) < int(run.Batches) {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
		if err != nil || len(out.Messages) == 0 {
			t.Fatalf("%d of %d batches on the queue, %v", len(ev.Records), run.Batches, err)
		}
		for _, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), Body: aws.ToString(m.Body)})
			_, _ = client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
		}
	}
	if resp, err := work(ctx, ev); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("run %s: failures %v, %v", run.ID, resp.BatchItemFailures, err)
	}
	return run
}

// The nightly run counts open purchase orders as on order and plans with
// the SKU's terms: with 20 on hand against a reorder point near 100, an
// open order of 40 due within the lead time takes 40 off tonight's order,
// one due after the horizon takes nothing off; a pack size of 24 rounds
// the order up to whole packs, a 30-day lead time raises the reorder
// point, and the plan shows what it used.
func TestNightlyRunCountsPurchaseOrdersAndTerms(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	t.Setenv("JIAOYI_REPLENISH_LEAD_DAYS", "7")
	t.Setenv("JIAOYI_REPLENISH_LEAD_SD", "2")
	t.Setenv("JIAOYI_REPLENISH_REVIEW_DAYS", "7")
	sku := checkouttest.SeedDemoProduct(t, env)
	a, err := forecastapi.NewAPI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := newCaller(t)
	warehouse, _, _ := teaLocations(t)
	// 20 on hand at the warehouse, 10 sold there a day for 120 days.
	whs, _ := stockOf(t, a, sku, warehouse)
	mgr := catalog.NewManager(a.Catalog, awstest.DynamoDB(t))
	if _, err := mgr.Adjust(ctx, catalog.Adjustment{ID: "adj_setupsetupsetups", MerchantID: demo.TeaHouse, SKUID: sku, LocationID: warehouse,
		Delta: 20 - whs, Reason: catalog.AdjustCount, By: "test", At: a.Now()}); err != nil {
		t.Fatal(err)
	}
	series := demand.Series{SKU: sku, Location: warehouse}
	for d := 120; d >= 1; d-- {
		series.Days = append(series.Days, demand.Day{Date: a.Now().AddDate(0, 0, -d).In(a.Demand.Zone).Format("2006-01-02"), Units: 10, Revenue: 1000})
	}
	if err := a.Demand.Seed(ctx, []demand.Series{series}); err != nil {
		t.Fatal(err)
	}
	planAt := func() replenishdb.Plan {
		t.Helper()
		resp := c.call("forecast/list-replenishment", "/merchant/replenishment", map[string]string{"location": warehouse}, "", "", teaHouse)
		r := decode[forecastapi.Replenishment](t, resp)
		if len(r.Plans) != 1 {
			t.Fatalf("plans at the warehouse: %s", resp.Body)
		}
		return r.Plans[0]
	}

	runNightly(t, env)
	before := planAt()
	t.Logf("without purchase orders: %+v", before)
	if before.OnHand != 20 || before.OnOrder != 0 || before.SKUTerms || before.PackSize != 0 || before.ReorderPoint < 80 || before.OrderQuantity < 100 {
		t.Fatalf("plan without purchase orders %+v: want 20 on hand under a reorder point near 100, an order over 100", before)
	}

	for key, body := range map[string]string{
		"soon":  poBody(sku, warehouse, 40, a.Now().AddDate(0, 0, 5).Format("2006-01-02")),
		"late":  poBody(sku, warehouse, 500, a.Now().AddDate(0, 0, -2).Format("2006-01-02")),
		"later": poBody(sku, warehouse, 1000, a.Now().AddDate(0, 0, 90).Format("2006-01-02")),
	} {
		if resp := c.call("forecast/create-purchase-order", "/merchant/purchase-orders", nil, body, key, teaHouse); resp.StatusCode != 201 {
			t.Fatalf("POST %s: %d %s", body, resp.StatusCode, resp.Body)
		}
	}
	// An overdue order counts (it is still coming) until it is cancelled.
	open := decode[replenishdb.POPage](t, c.call("forecast/list-purchase-orders", "/merchant/purchase-orders", map[string]string{"status": "open"}, "", "", teaHouse))
	for _, po := range open.PurchaseOrders {
		if po.Quantity == 500 {
			runNightly(t, env)
			if p := planAt(); p.OnOrder != 540 || p.OrderQuantity != 0 || p.OnOrderLater != 1000 {
				t.Errorf("with 40 due, 500 overdue and 1000 after the horizon: %+v; want 540 on order, nothing to order", p)
			}
			if resp := c.call("forecast/cancel-purchase-order", "/merchant/purchase-orders/"+po.ID+"/cancel", nil, "", "", teaHouse); resp.StatusCode != 200 {
				t.Fatalf("cancel: %d %s", resp.StatusCode, resp.Body)
			}
		}
	}

	runNightly(t, env)
	with := planAt()
	t.Logf("with 40 on order: %+v", with)
	if with.OnOrder != 40 || with.OnOrderLater != 1000 || with.ReorderPoint != before.ReorderPoint || with.OrderQuantity != before.OrderQuantity-40 {
		t.Errorf("with 40 on order: order %.0f (on order %.0f, later %.0f), want %.0f − 40", with.OrderQuantity, with.OnOrder, with.OnOrderLater, before.OrderQuantity)
	}

	if resp := c.call("forecast/put-sku-terms", "/merchant/replenishment/skus/"+sku+"/terms", nil, `{"packSize":24}`, "", teaHouse); resp.StatusCode != 200 {
		t.Fatalf("PUT terms: %d %s", resp.StatusCode, resp.Body)
	}
	runNightly(t, env)
	packed := planAt()
	if !packed.SKUTerms || packed.PackSize != 24 || math.Mod(packed.OrderQuantity, 24) != 0 ||
		packed.OrderQuantity < with.OrderQuantity || packed.OrderQuantity-with.OrderQuantity >= 24 {
		t.Errorf("in packs of 24: order %.0f (pack %.0f), want %.0f rounded up to whole packs", packed.OrderQuantity, packed.PackSize, with.OrderQuantity)
	}

	if resp := c.call("forecast/put-sku-terms", "/merchant/replenishment/skus/"+sku+"/terms", nil, `{"leadTimeDays":30,"leadTimeSd":3,"packSize":24,"minOrder":480}`, "", teaHouse); resp.StatusCode != 200 {
		t.Fatalf("PUT terms: %d %s", resp.StatusCode, resp.Body)
	}
	runNightly(t, env)
	slow := planAt()
	t.Logf("30-day supplier: %+v", slow)
	if slow.LeadTimeDays != 30 || slow.LeadTimeSD != 3 || slow.MinOrder != 480 || slow.ReorderPoint < 3*before.ReorderPoint ||
		slow.OrderQuantity < 480 || math.Mod(slow.OrderQuantity, 24) != 0 {
		t.Errorf("30-day supplier: %+v; want its lead time, a reorder point over 3× %.0f, at least 480 in packs of 24", slow, before.ReorderPoint)
	}
	// Within 30 + 7 days: the order of 1000 due in 90 is still later.
	if slow.OnOrder != 40 || slow.OnOrderLater != 1000 {
		t.Errorf("30-day supplier: on order %.0f, later %.0f", slow.OnOrder, slow.OnOrderLater)
	}
}
