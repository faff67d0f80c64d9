package checkoutapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/idempotency"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

type fixture struct {
	place, get, cancel, list apigw.Handler
	db                       *dynamodb.Client
	cfg                      checkout.Config
	sku, store, slot         string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := awstest.DynamoDB(t)
	tables := awstest.Tables(t, resource.Catalog, resource.Orders, resource.Payments)
	url, _, err := provision.Queue(ctx, awstest.SQS(t), resource.PaymentTimeouts, awstest.Prefix(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg := checkout.Config{CatalogTable: tables[resource.Catalog.EnvVar], OrdersTable: tables[resource.Orders.EnvVar],
		PaymentsTable: tables[resource.Payments.EnvVar], TimeoutQueueURL: url, Hold: 15 * time.Minute,
		MaxUnpaidOrders: 100, MaxHeldUnits: 1000}
	f := &fixture{db: db, cfg: cfg, sku: id.New(id.SKU), store: id.New(id.Store), slot: id.New(id.Slot)}
	pid := id.New(id.Product)
	start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Hour)
	err = catalog.NewRepository(db, cfg.CatalogTable).Write(ctx, catalog.Batch{
		Products: []catalog.Product{{ID: pid, Name: catalog.Text{ZH: "茶", EN: "Tea"}, Status: catalog.Active, SKUIDs: []string{f.sku}}},
		SKUs:     []catalog.SKU{{ID: f.sku, ProductID: pid, Price: money.Money{Amount: 2500, Currency: "CNY"}, Available: 20}},
		Stores:   []catalog.Store{{ID: f.store, Name: catalog.Text{ZH: "店", EN: "Store"}, Timezone: "Asia/Shanghai"}},
		Slots:    []catalog.Slot{{ID: f.slot, StoreID: f.store, ServiceID: "fitting", Start: start, End: start.Add(time.Hour), Capacity: 3}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := &checkoutapi.API{
		Checkout:    checkout.New(db, cfg, sandbox.New(db, cfg.PaymentsTable), awstest.SQS(t), sns.NewFromConfig(awstest.Config(t))),
		Idempotency: idempotency.NewStore(db, cfg.OrdersTable),
	}
	log := logging.New(new(strings.Builder), "error")
	f.place, f.get, f.cancel, f.list = apigw.Wrap(log, a.Place), apigw.Wrap(log, a.Get), apigw.Wrap(log, a.Cancel), apigw.Wrap(log, a.List)
	return f
}

func request(method, path, routeKey, body string, headers map[string]string, sub string) apigw.Request {
	r := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: routeKey, RawPath: path, Body: body, Headers: map[string]string{}}
	for k, v := range headers {
		r.Headers[strings.ToLower(k)] = v
	}
	r.RequestContext.HTTP.Method = method
	r.RequestContext.HTTP.Path = path
	r.RequestContext.RequestID = "req"
	if strings.HasPrefix(path, "/orders/") {
		r.PathParameters = map[string]string{"id": strings.Split(path, "/")[2]}
	}
	if sub != "" {
		r.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": sub}},
		}
	}
	return r
}

func (f *fixture) placeReq(body, key, sub string) apigw.Request {
	h := map[string]string{"Content-Type": "application/json"}
	if key != "" {
		h["Idempotency-Key"] = key
	}
	return request("POST", "/orders", "POST /orders", body, h, sub)
}

func (f *fixture) validBody() string {
	return `{"lines":[{"skuId":"` + f.sku + `","quantity":2}],"fulfilment":{"type":"pickup","storeId":"` + f.store +
		`"},"booking":{"storeId":"` + f.store + `","slotId":"` + f.slot + `"}}`
}

// snapshot returns every item of the catalog and orders tables.
func (f *fixture) snapshot(t *testing.T) map[string][]map[string]types.AttributeValue {
	t.Helper()
	out := map[string][]map[string]types.AttributeValue{}
	for _, table := range []string{f.cfg.CatalogTable, f.cfg.OrdersTable} {
		p := dynamodb.NewScanPaginator(f.db, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], page.Items...)
		}
	}
	return out
}

func TestPlaceGetCancelFollowTheContract(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	req := f.placeReq(f.validBody(), "k-1", "alice")
	resp, _ := f.place(ctx, req)
	if resp.StatusCode != 201 {
		t.Fatalf("place: %d %s", resp.StatusCode, resp.Body)
	}
	if err := api.Check(req, resp); err != nil {
		t.Error(err)
	}
	var o order.Order
	if err := json.Unmarshal([]byte(resp.Body), &o); err != nil {
		t.Fatal(err)
	}
	if resp.Headers["Location"] != "/orders/"+o.ID || o.Total.Amount != 5000 || o.Payment.ClientSecret == "" {
		t.Errorf("placed order %+v, headers %v", o, resp.Headers)
	}

	get := request("GET", "/orders/"+o.ID, "GET /orders/{id}", "", nil, "alice")
	resp, _ = f.get(ctx, get)
	if resp.StatusCode != 200 {
		t.Fatalf("get: %d %s", resp.StatusCode, resp.Body)
	}
	if err := api.Check(get, resp); err != nil {
		t.Error(err)
	}
	other := request("GET", "/orders/"+o.ID, "GET /orders/{id}", "", nil, "mallory")
	if resp, _ := f.get(ctx, other); resp.StatusCode != 404 {
		t.Errorf("another customer's order: %d, want 404", resp.StatusCode)
	} else if err := api.Check(other, resp); err != nil {
		t.Error(err)
	}

	cancel := request("POST", "/orders/"+o.ID+"/cancel", "POST /orders/{id}/cancel", "", nil, "alice")
	for range 2 { // idempotent
		resp, _ = f.cancel(ctx, cancel)
		if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"status":"CANCELLED"`) {
			t.Fatalf("cancel: %d %s", resp.StatusCode, resp.Body)
		}
		if err := api.Check(cancel, resp); err != nil {
			t.Error(err)
		}
	}
	var cancelled order.Order
	_ = json.Unmarshal([]byte(resp.Body), &cancelled)
	if len(cancelled.History) != 2 || cancelled.Payment.Status != "canceled" {
		t.Errorf("cancelled order history %+v payment %s", cancelled.History, cancelled.Payment.Status)
	}
}

func TestBadRequestsAreProblemsAndChangeNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	// One order exists, so reads and cancels have something to refuse.
	if resp, _ := f.place(ctx, f.placeReq(f.validBody(), "existing", "alice")); resp.StatusCode != 201 {
		t.Fatalf("setup: %d %s", resp.StatusCode, resp.Body)
	}
	before := f.snapshot(t)
	line := func(sku string, q any) string {
		return fmt.Sprintf(`{"lines":[{"skuId":%q,"quantity":%v}],"fulfilment":{"type":"pickup","storeId":%q}}`, sku, q, f.store)
	}
	ship := func(addr string) string {
		return `{"lines":[{"skuId":"` + f.sku + `","quantity":1}],"fulfilment":{"type":"ship","address":` + addr + `}}`
	}
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf(`{"skuId":%q,"quantity":1}`, id.New(id.SKU))
	}
	pastSlot := id.New(id.Slot)
	tests := []struct {
		name       string
		req        apigw.Request
		handler    func() apigw.Handler
		wantStatus int
		wantField  string
	}{
		{"no token", f.placeReq(f.validBody(), "k", ""), nil, 401, ""},
		{"no idempotency key", f.placeReq(f.validBody(), "", "alice"), nil, 400, "Idempotency-Key"},
		{"over-long idempotency key", f.placeReq(f.validBody(), strings.Repeat("x", 256), "alice"), nil, 400, "Idempotency-Key"},
		{"not json", f.placeReq(`lines=1`, "k", "alice"), nil, 400, ""},
		{"form content type", request("POST", "/orders", "POST /orders", f.validBody(), map[string]string{"Content-Type": "text/plain", "Idempotency-Key": "k"}, "alice"), nil, 415, ""},
		{"unknown field", f.placeReq(`{"lines":[],"coupon":"FREE"}`, "k", "alice"), nil, 400, "coupon"},
		{"client sets the price", f.placeReq(`{"lines":[{"skuId":"`+f.sku+`","quantity":1,"price":1}],"fulfilment":{"type":"pickup","storeId":"`+f.store+`"}}`, "k", "alice"), nil, 400, "price"},
		{"no lines", f.placeReq(`{"lines":[],"fulfilment":{"type":"pickup","storeId":"`+f.store+`"}}`, "k", "alice"), nil, 400, "lines"},
		{"too many lines", f.placeReq(`{"lines":[`+strings.Join(many, ",")+`],"fulfilment":{"type":"pickup","storeId":"`+f.store+`"}}`, "k", "alice"), nil, 400, "lines"},
		{"zero quantity", f.placeReq(line(f.sku, 0), "k", "alice"), nil, 400, "lines[0].quantity"},
		{"huge quantity", f.placeReq(line(f.sku, 100), "k", "alice"), nil, 400, "lines[0].quantity"},
		{"fractional quantity", f.placeReq(line(f.sku, 1.5), "k", "alice"), nil, 400, "lines.quantity"},
		{"malformed sku", f.placeReq(line("abc", 1), "k", "alice"), nil, 400, "lines[0].skuId"},
		{"unknown sku", f.placeReq(line(id.New(id.SKU), 1), "k", "alice"), nil, 422, "lines[0].skuId"},
		{"duplicate sku lines", f.placeReq(`{"lines":[{"skuId":"`+f.sku+`","quantity":1},{"skuId":"`+f.sku+`","quantity":1}],"fulfilment":{"type":"pickup","storeId":"`+f.store+`"}}`, "k", "alice"), nil, 400, "lines[1].skuId"},
		{"more than in stock", f.placeReq(line(f.sku, 99), "k", "alice"), nil, 409, ""},
		{"unknown fulfilment", f.placeReq(`{"lines":[{"skuId":"`+f.sku+`","quantity":1}],"fulfilment":{"type":"drone"}}`, "k", "alice"), nil, 400, "fulfilment.type"},
		{"ship without address", f.placeReq(`{"lines":[{"skuId":"`+f.sku+`","quantity":1}],"fulfilment":{"type":"ship"}}`, "k", "alice"), nil, 400, "fulfilment.address"},
		{"address without city", f.placeReq(ship(`{"name":"a","phone":"1","line1":"x","country":"CN"}`), "k", "alice"), nil, 400, "fulfilment.address.city"},
		{"bad country", f.placeReq(ship(`{"name":"a","phone":"1","line1":"x","city":"y","country":"China"}`), "k", "alice"), nil, 400, "fulfilment.address.country"},
		{"unknown store", f.placeReq(`{"lines":[{"skuId":"`+f.sku+`","quantity":1}],"fulfilment":{"type":"pickup","storeId":"`+id.New(id.Store)+`"}}`, "k", "alice"), nil, 422, "fulfilment.storeId"},
		{"unknown slot", f.placeReq(`{"lines":[{"skuId":"`+f.sku+`","quantity":1}],"fulfilment":{"type":"pickup","storeId":"`+f.store+`"},"booking":{"storeId":"`+f.store+`","slotId":"`+pastSlot+`"}}`, "k", "alice"), nil, 422, "booking.slotId"},
		{"get malformed id", request("GET", "/orders/nope", "GET /orders/{id}", "", nil, "alice"), func() apigw.Handler { return f.get }, 400, "id"},
		{"get unknown order", request("GET", "/orders/"+id.New(id.Order), "GET /orders/{id}", "", nil, "alice"), func() apigw.Handler { return f.get }, 404, ""},
		{"get without token", request("GET", "/orders/"+id.New(id.Order), "GET /orders/{id}", "", nil, ""), func() apigw.Handler { return f.get }, 401, ""},
		{"cancel unknown order", request("POST", "/orders/"+id.New(id.Order)+"/cancel", "POST /orders/{id}/cancel", "", nil, "alice"), func() apigw.Handler { return f.cancel }, 404, ""},
		{"cancel malformed id", request("POST", "/orders/ord_x/cancel", "POST /orders/{id}/cancel", "", nil, "alice"), func() apigw.Handler { return f.cancel }, 400, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := f.place
			if tt.handler != nil {
				h = tt.handler()
			}
			resp, err := h(ctx, tt.req)
			if err != nil {
				t.Fatalf("Go error: %v", err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if resp.Headers["Content-Type"] != "application/problem+json" {
				t.Errorf("content type %q", resp.Headers["Content-Type"])
			}
			var doc struct {
				Status int    `json:"status"`
				Detail string `json:"detail"`
				Field  string `json:"field"`
			}
			if err := json.Unmarshal([]byte(resp.Body), &doc); err != nil || doc.Detail == "" || doc.Field != tt.wantField {
				t.Errorf("problem %s: field %q, want %q (%v)", resp.Body, doc.Field, tt.wantField, err)
			}
			if tt.wantStatus != 415 { // the contract documents JSON bodies only
				if err := api.Check(tt.req, resp); err != nil {
					t.Errorf("contract: %v", err)
				}
			}
		})
	}
	if after := f.snapshot(t); !reflect.DeepEqual(before, after) {
		t.Errorf("bad requests changed the tables: %d/%d items before, %d/%d after",
			len(before[f.cfg.CatalogTable]), len(before[f.cfg.OrdersTable]), len(after[f.cfg.CatalogTable]), len(after[f.cfg.OrdersTable]))
	}
}

// 20 identical requests race with one Idempotency-Key: one order; every
// answer is that order or 409 in progress; a later retry gets that order.
func TestIdempotentPlaceUnderRace(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const n = 20
	var wg sync.WaitGroup
	resps := make([]apigw.Response, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resps[i], _ = f.place(ctx, f.placeReq(f.validBody(), "race-key", "alice"))
		}()
	}
	wg.Wait()
	ids := map[string]bool{}
	codes := map[int]int{}
	for _, r := range resps {
		codes[r.StatusCode]++
		if r.StatusCode == 201 {
			var o order.Order
			_ = json.Unmarshal([]byte(r.Body), &o)
			ids[o.ID] = true
		} else if r.StatusCode != 409 || !strings.Contains(r.Body, "in progress") {
			t.Errorf("answer %d %s, want the order or 409 in progress", r.StatusCode, r.Body)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("answers name %d orders (%v), want 1; statuses %v", len(ids), ids, codes)
	}
	retry, _ := f.place(ctx, f.placeReq(f.validBody(), "race-key", "alice"))
	var o order.Order
	_ = json.Unmarshal([]byte(retry.Body), &o)
	if retry.StatusCode != 201 || !ids[o.ID] || retry.Headers[idempotency.ReplayedHeader] != "true" {
		t.Errorf("retry: %d %s, want the same order replayed", retry.StatusCode, o.ID)
	}
	// Exactly one order and one unit of the slot were taken.
	snap := f.snapshot(t)
	orders := 0
	for _, it := range snap[f.cfg.OrdersTable] {
		if it["sk"].(*types.AttributeValueMemberS).Value == "ORDER" {
			orders++
		}
	}
	if orders != 1 {
		t.Errorf("%d orders stored, want 1", orders)
	}
	// The same key with another body is refused.
	other, _ := f.place(ctx, f.placeReq(strings.Replace(f.validBody(), `"quantity":2`, `"quantity":3`, 1), "race-key", "alice"))
	if other.StatusCode != 422 {
		t.Errorf("same key, other body: %d, want 422", other.StatusCode)
	}
}

func TestTimeoutConsumerReportsBatchFailures(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	resp, _ := f.place(ctx, f.placeReq(f.validBody(), "k", "alice"))
	var o order.Order
	_ = json.Unmarshal([]byte(resp.Body), &o)
	db := f.db
	a := &checkoutapi.API{Checkout: checkout.New(db, f.cfg, sandbox.New(db, f.cfg.PaymentsTable), awstest.SQS(t), sns.NewFromConfig(awstest.Config(t)))}
	a.Checkout.Now = func() time.Time { return time.Now().Add(time.Hour) }
	c := &checkoutapi.TimeoutConsumer{Checkout: a.Checkout, Log: logging.New(new(strings.Builder), "error")}
	body, _ := json.Marshal(checkout.TimeoutMessage{OrderID: o.ID, ExpiresAt: o.Payment.ExpiresAt})
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "good", Body: string(body)},
		{MessageId: "redelivered", Body: string(body)},
		{MessageId: "garbage", Body: `{"orderId":42}`},
		{MessageId: "unknown-order", Body: `{"orderId":"` + id.New(id.Order) + `","expiresAt":"2026-01-01T00:00:00Z"}`},
	}}
	out, err := c.Handle(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.BatchItemFailures) != 1 || out.BatchItemFailures[0].ItemIdentifier != "garbage" {
		t.Errorf("failures = %+v, want only the malformed message", out.BatchItemFailures)
	}
	got, err := a.Checkout.Order(ctx, "alice", o.ID)
	if err != nil || got.Status != order.Expired || got.Version != 2 {
		t.Errorf("order after timeouts: %s v%d %v", got.Status, got.Version, err)
	}
}

func TestListOrdersPagesNewestFirstAndOnlyYours(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	body := `{"lines":[{"skuId":"` + f.sku + `","quantity":1}],"fulfilment":{"type":"pickup","storeId":"` + f.store + `"}}`
	var placed []string
	for i := range 5 {
		resp, _ := f.place(ctx, f.placeReq(body, fmt.Sprint("list-", i), "alice"))
		var o order.Order
		_ = json.Unmarshal([]byte(resp.Body), &o)
		placed = append(placed, o.ID)
		time.Sleep(2 * time.Millisecond) // distinct creation times
	}
	if resp, _ := f.place(ctx, f.placeReq(body, "bob-1", "bob")); resp.StatusCode != 201 {
		t.Fatal(resp.Body)
	}
	list := func(sub, query string) (apigw.Response, orderdb.OrderPage) {
		q := map[string]string{}
		for _, kv := range strings.Split(query, "&") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				q[k] = v
			}
		}
		req := request("GET", "/orders", "GET /orders", "", nil, sub)
		req.QueryStringParameters, req.RawQueryString = q, query
		resp, _ := f.list(ctx, req)
		if err := api.Check(req, resp); err != nil {
			t.Errorf("contract: %v", err)
		}
		var page orderdb.OrderPage
		_ = json.Unmarshal([]byte(resp.Body), &page)
		return resp, page
	}
	var got []string
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		q := "limit=2"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		resp, page := list("alice", q)
		if resp.StatusCode != 200 {
			t.Fatalf("list: %d %s", resp.StatusCode, resp.Body)
		}
		for _, o := range page.Orders {
			got = append(got, o.ID)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	want := []string{placed[4], placed[3], placed[2], placed[1], placed[0]}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("listed %v, want alice's orders newest first %v", got, want)
	}
	_, first := list("alice", "limit=2")
	tests := []struct {
		name, sub, query string
		want             int
	}{
		{"another customer's cursor", "bob", "limit=2&cursor=" + first.Next, 400},
		{"garbage cursor", "alice", "cursor=abc", 400},
		{"zero limit", "alice", "limit=0", 400},
		{"limit over max", "alice", "limit=51", 400},
		{"limit not a number", "alice", "limit=all", 400},
		{"no token", "", "", 401},
	}
	for _, tt := range tests {
		if resp, _ := list(tt.sub, tt.query); resp.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
}
