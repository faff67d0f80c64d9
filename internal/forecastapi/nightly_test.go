package forecastapi_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/demand"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

func request(query map[string]string, groups string) apigw.Request {
	r := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "GET /merchant/replenishment", RawPath: "/merchant/replenishment",
		QueryStringParameters: query, Headers: map[string]string{}}
	r.RequestContext.HTTP.Method, r.RequestContext.HTTP.Path = "GET", "/merchant/replenishment"
	r.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "staff", "cognito:groups": groups}},
	}
	return r
}

// The nightly run over the demo product's SKUs, one SKU per batch: the
// planner records the run and queues its batches; the worker, given every
// batch twice (a redelivery), forecasts each SKU at each location it is
// stocked at, writes a plan for every series with sales and counts each
// batch once; the run finishes with the counts adding up. The merchant
// then reads its plans: the SKU selling ten a day at the warehouse with
// less than its reorder point on hand is due today, for what brings it
// to the reorder point plus a review period's demand.
func TestNightlyRunPlansReplenishment(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	t.Setenv("JIAOYI_FORECAST_BATCH_SKUS", "1")
	t.Setenv("JIAOYI_REPLENISH_LEAD_DAYS", "7")
	t.Setenv("JIAOYI_REPLENISH_REVIEW_DAYS", "7")
	t.Setenv("JIAOYI_REPLENISH_SERVICE_LEVEL", "0.95")
	sku := checkouttest.SeedDemoProduct(t, env)
	api, err := forecastapi.NewAPI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	skus, err := api.Catalog.SKUs(ctx, []string{sku})
	if err != nil {
		t.Fatal(err)
	}
	s := skus[sku]
	var warehouse string
	for loc := range s.Stock {
		if strings.HasPrefix(loc, catalog.WarehousePrefix+"_") {
			warehouse = loc
		}
	}
	if warehouse == "" || len(s.Stock) < 2 {
		t.Fatalf("the demo SKU's stock %v has no warehouse and store", s.Stock)
	}
	// 120 days: 10 a day at the warehouse, a few at the first store on
	// Saturdays, none elsewhere; the total is their sum.
	now := api.Now()
	var total, whs, store demand.Series
	total.SKU, whs.SKU, whs.Location = sku, sku, warehouse
	var storeID string
	for loc := range s.Stock {
		if loc != warehouse && storeID == "" {
			storeID = loc
		}
	}
	store.SKU, store.Location = sku, storeID
	for d := 120; d >= 1; d-- {
		day := now.AddDate(0, 0, -d).In(api.Demand.Zone)
		var atStore int64
		if day.Weekday() == time.Saturday {
			atStore = 3
		}
		date := day.Format("2006-01-02")
		whs.Days = append(whs.Days, demand.Day{Date: date, Units: 10, Revenue: 1000})
		store.Days = append(store.Days, demand.Day{Date: date, Units: atStore, Revenue: 100 * atStore})
		total.Days = append(total.Days, demand.Day{Date: date, Units: 10 + atStore, Revenue: 1000 + 100*atStore})
	}
	if err := api.Demand.Seed(ctx, []demand.Series{total, whs, store}); err != nil {
		t.Fatal(err)
	}

	plan, err := forecastapi.NewPlanForecasts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run, err := plan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.SKUs != int64(len(demo.Catalog().Products[0].SKUIDs)) || run.Batches != run.SKUs {
		t.Fatalf("run %+v, want a batch per SKU of the demo product", run)
	}
	work, err := forecastapi.NewRunForecasts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := awstest.SQS(t)
	url := env[resource.ForecastJobs.EnvVar]
	var ev events.SQSEvent
	for len(ev.Records) < int(run.Batches) {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			t.Fatalf("%d of %d batches on the queue", len(ev.Records), run.Batches)
		}
		for _, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), Body: aws.ToString(m.Body)})
		}
	}
	for range 2 {
		resp, err := work(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("failures %v, %v", resp.BatchItemFailures, err)
		}
	}
	done, err := api.Plans.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if done.ID != run.ID || done.Done != run.Batches || done.FinishedAt == nil {
		t.Fatalf("run after the batches %+v, want %d done (once each) and finished", done, run.Batches)
	}
	if done.Series != done.Planned+done.Skipped+done.Failed || done.Planned != 2 || done.Failed != 0 {
		t.Errorf("run %+v: want 2 series planned (the SKU at its warehouse and store), the rest skipped", done)
	}

	list, err := lambdafn.Handler(ctx, mustRoute(t, "forecast/list-replenishment"), forecastapi.NewListReplenishment)
	if err != nil {
		t.Fatal(err)
	}
	merchant := "[merchant:" + demo.TeaHouse + "]"
	read := func(query map[string]string) forecastapi.Replenishment {
		t.Helper()
		resp, err := list(ctx, request(query, merchant))
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %v: %d %s %v", query, resp.StatusCode, resp.Body, err)
		}
		var r forecastapi.Replenishment
		if err := json.Unmarshal([]byte(resp.Body), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	all := read(nil)
	if all.Run == nil || all.Run.ID != run.ID || len(all.Plans) != 2 {
		t.Fatalf("plans %+v (run %+v), want 2 of run %s", all.Plans, all.Run, run.ID)
	}
	byLoc := map[string]int{}
	for i, p := range all.Plans {
		byLoc[p.Location] = i
	}
	w := all.Plans[byLoc[warehouse]]
	if math.Abs(w.DailyMean-10) > 0.5 || w.Intermittent || w.Distribution != "normal" || w.OnHand != float64(s.Stock[warehouse]) {
		t.Errorf("warehouse plan %+v: want ~10 a day, smooth, normal, on hand %d", w, s.Stock[warehouse])
	}
	// Lead-time demand 70 (σ from the lead time's ±2 days alone ≈ 20):
	// reorder point ≈ 70 + 1.645·20.
	if w.ReorderPoint < 95 || w.ReorderPoint > 115 || math.Abs(w.SafetyStock-(w.ReorderPoint-70)) > 2 {
		t.Errorf("warehouse reorder point %.1f, safety stock %.1f: want ≈ 103 and ≈ 33", w.ReorderPoint, w.SafetyStock)
	}
	today := now.In(api.Demand.Zone).Format("2006-01-02")
	if w.OnHand <= w.ReorderPoint {
		if w.OrderBy != today || math.Abs(w.OrderQuantity-math.Ceil(w.ReorderPoint+70-w.OnHand)) > 1 {
			t.Errorf("warehouse plan: order %.0f by %s, want ≈ %.0f today", w.OrderQuantity, w.OrderBy, w.ReorderPoint+70-w.OnHand)
		}
	} else if w.OrderBy <= today || w.OrderQuantity != 0 {
		t.Errorf("warehouse plan: order %.0f by %s with %.0f on hand above the reorder point", w.OrderQuantity, w.OrderBy, w.OnHand)
	}
	t.Logf("warehouse plan %+v", w)
	st := all.Plans[byLoc[storeID]]
	t.Logf("store plan %+v", st)
	if !st.Intermittent || st.DailyMean <= 0 || st.DailyMean > 1.5 {
		t.Errorf("store plan %+v: want intermittent, about 3/7 a day", st)
	}
	due := read(map[string]string{"due": "0"})
	for _, p := range due.Plans {
		if p.OrderBy == "" || p.OrderBy > today {
			t.Errorf("due=0 answered a plan due %q", p.OrderBy)
		}
	}
	if one := read(map[string]string{"location": warehouse}); len(one.Plans) != 1 || one.Plans[0].Location != warehouse {
		t.Errorf("location=%s: %+v", warehouse, one.Plans)
	}
	page := read(map[string]string{"limit": "1"})
	if len(page.Plans) != 1 || page.Next == "" {
		t.Fatalf("limit=1: %d plans, next %q", len(page.Plans), page.Next)
	}
	if rest := read(map[string]string{"limit": "1", "cursor": page.Next}); len(rest.Plans) != 1 || rest.Plans[0].Location == page.Plans[0].Location {
		t.Errorf("second page %+v after %+v", rest.Plans, page.Plans)
	}

	if all.Policy.LeadTimeDays != 7 || all.Policy.ServiceLevel != 0.95 {
		t.Errorf("policy %+v, want the defaults", all.Policy)
	}

	// The merchant's own policy: refused out of range, then set; the next
	// run plans with it.
	put, err := lambdafn.Handler(ctx, mustRoute(t, "forecast/put-policy"), forecastapi.NewPutPolicy)
	if err != nil {
		t.Fatal(err)
	}
	putReq := func(body, groups string) apigw.Request {
		r := request(nil, groups)
		r.RouteKey, r.RawPath, r.Body = "PUT /merchant/replenishment/policy", "/merchant/replenishment/policy", body
		r.RequestContext.HTTP.Method, r.RequestContext.HTTP.Path = "PUT", r.RawPath
		r.Headers["content-type"] = "application/json"
		return r
	}
	for _, tc := range []struct{ body, groups, says string }{
		{`{"leadTimeDays":0,"leadTimeSd":0,"serviceLevel":0.95,"reviewDays":7}`, merchant, "leadTimeDays"},
		{`{"leadTimeDays":14,"leadTimeSd":20,"serviceLevel":0.95,"reviewDays":7}`, merchant, "leadTimeSd"},
		{`{"leadTimeDays":14,"leadTimeSd":3,"serviceLevel":1,"reviewDays":7}`, merchant, "serviceLevel"},
		{`{"leadTimeDays":14,"leadTimeSd":3,"serviceLevel":0.99}`, merchant, "reviewDays"},
		{`{"leadTimeDays":14,"leadTimeSd":3,"serviceLevel":0.99,"reviewDays":7,"x":1}`, merchant, ""},
		{`{"leadTimeDays":14,"leadTimeSd":3,"serviceLevel":0.99,"reviewDays":7}`, "[ops]", ""},
	} {
		resp, err := put(ctx, putReq(tc.body, tc.groups))
		if err != nil || resp.StatusCode < 400 || resp.StatusCode >= 500 || !strings.Contains(resp.Body, tc.says) {
			t.Errorf("PUT %s as %s: %d %s %v, want a 4xx naming %q", tc.body, tc.groups, resp.StatusCode, resp.Body, err, tc.says)
		}
	}
	if resp, err := put(ctx, putReq(`{"leadTimeDays":14,"leadTimeSd":3,"serviceLevel":0.99,"reviewDays":7}`, merchant)); err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT policy: %d %s %v", resp.StatusCode, resp.Body, err)
	}
	if got := read(nil).Policy; got.LeadTimeDays != 14 || got.ServiceLevel != 0.99 {
		t.Errorf("policy after PUT %+v", got)
	}
	run2, err := plan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev.Records = nil
	for len(ev.Records) < int(run2.Batches) {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
		if err != nil || len(out.Messages) == 0 {
			t.Fatalf("second run: %d of %d batches, %v", len(ev.Records), run2.Batches, err)
		}
		for _, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), Body: aws.ToString(m.Body)})
		}
	}
	if resp, err := work(ctx, ev); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("second run: %v %v", resp.BatchItemFailures, err)
	}
	for _, p := range read(map[string]string{"location": warehouse}).Plans {
		if p.RunID != run2.ID || p.LeadTimeDays != 14 || p.ServiceLevel != 0.99 || p.ReorderPoint <= w.ReorderPoint {
			t.Errorf("plan after the policy %+v: want run %s, 14 days at 99%%, a reorder point above %.0f", p, run2.ID, w.ReorderPoint)
		}
	}

	// Bad input: a 4xx naming the problem; other merchants see nothing.
	for _, tc := range []struct {
		query  map[string]string
		groups string
		status int
		says   string
	}{
		{map[string]string{"due": "-1"}, merchant, 400, "due"},
		{map[string]string{"due": "soon"}, merchant, 400, "due"},
		{map[string]string{"location": "paris"}, merchant, 400, "location"},
		{map[string]string{"limit": "501"}, merchant, 400, "limit"},
		{map[string]string{"cursor": page.Next}, "[merchant:" + demo.Electronics + "]", 400, "cursor"},
		{nil, "[ops]", 403, ""},
	} {
		resp, err := list(ctx, request(tc.query, tc.groups))
		if err != nil || resp.StatusCode != tc.status || !strings.Contains(resp.Body, tc.says) {
			t.Errorf("%v as %s: %d %s %v, want %d naming %q", tc.query, tc.groups, resp.StatusCode, resp.Body, err, tc.status, tc.says)
		}
	}
	if other, _ := list(ctx, request(nil, "[merchant:"+demo.Electronics+"]")); !strings.Contains(other.Body, `"plans":[]`) {
		t.Errorf("another merchant: %s, want no plans", other.Body)
	}
}

func mustRoute(t *testing.T, fn string) routes.Route {
	t.Helper()
	r, ok := routes.ByFunction(fn)
	if !ok {
		t.Fatalf("no route %s", fn)
	}
	return r
}
