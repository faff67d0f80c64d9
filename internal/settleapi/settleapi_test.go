package settleapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/settletest"
)

func request(route string, params, query map[string]string, body, groups string) apigw.Request {
	method, path, _ := strings.Cut(route, " ")
	for k, v := range params {
		path = strings.Replace(path, "{"+k+"}", v, 1)
	}
	r := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: route, RawPath: path, Body: body, PathParameters: params,
		QueryStringParameters: query, Headers: map[string]string{"content-type": "application/json"}}
	r.RequestContext.HTTP.Method, r.RequestContext.HTTP.Path = method, path
	r.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "staff", "cognito:groups": groups}},
	}
	return r
}

// Bad dates, ranges and bodies get a 4xx naming the problem and change
// nothing; a merchant reads only its own settlements; a settlement's CSV
// adds up.
func TestSettlementRoutesRefuseBadInput(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	day := settletest.Day(t)
	settletest.Settled(t, env, day)
	merchant := "[merchant:" + settletest.Merchant + "]"
	other := "[merchant:mch_aaaaaaaaaaaaaaaa]"
	future := time.Now().AddDate(0, 0, 3).Format("2006-01-02")
	build := func(fn string, f func(context.Context) (apigw.Handler, error)) apigw.Handler {
		r, _ := routes.ByFunction(fn)
		h, err := lambdafn.Handler(ctx, r, f)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	list, get := build("settle/list-settlements", settleapi.NewListSettlements), build("settle/get-settlement", settleapi.NewGetSettlement)
	ops, run := build("settle/ops-settlements", settleapi.NewOpsSettlements), build("settle/run-settlement", settleapi.NewRunSettlement)
	recon := build("settle/run-reconciliation", settleapi.NewRunReconciliation)
	tests := []struct {
		name   string
		h      apigw.Handler
		req    apigw.Request
		status int
		says   string
	}{
		{"unknown date", get, request("GET /merchant/settlements/{date}", map[string]string{"date": "2026-02-30"}, nil, "", merchant), 400, "date"},
		{"future date", get, request("GET /merchant/settlements/{date}", map[string]string{"date": future}, nil, "", merchant), 400, "future"},
		{"another merchant's day", get, request("GET /merchant/settlements/{date}", map[string]string{"date": day.String()}, nil, "", other), 404, "no settlement"},
		{"bad format", get, request("GET /merchant/settlements/{date}", map[string]string{"date": day.String()}, map[string]string{"format": "xml"}, "", merchant), 400, "format"},
		{"range over 92 days", list, request("GET /merchant/settlements", nil, map[string]string{"from": "2026-01-01", "to": day.String()}, "", merchant), 400, "92"},
		{"from after to", list, request("GET /merchant/settlements", nil, map[string]string{"from": day.String(), "to": day.AddDays(-1).String()}, "", merchant), 400, "from"},
		{"ops without date", ops, request("GET /ops/settlements", nil, nil, "", "[ops]"), 400, "date"},
		{"run a day not over", run, request("POST /ops/settlements/run", nil, nil, `{"date":"`+settletest.NotOver(t).String()+`"}`, "[ops]"), 200, `"skipped"`},
		{"run without a date", run, request("POST /ops/settlements/run", nil, nil, `{}`, "[ops]"), 400, "date"},
		{"run with an unknown field", run, request("POST /ops/settlements/run", nil, nil, `{"date":"2026-11-01","x":1}`, "[ops]"), 400, ""},
		{"reconcile an unknown currency", recon, request("POST /ops/reconciliations", nil, nil, `{"date":"`+day.String()+`","currency":"XXX"}`, "[ops]"), 400, "currency"},
		{"merchant on an ops route", ops, request("GET /ops/settlements", nil, map[string]string{"date": day.String()}, "", merchant), 403, ""},
		{"ops on a merchant route", list, request("GET /merchant/settlements", nil, nil, "", "[ops]"), 403, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tc.h(ctx, tc.req)
			if err != nil || resp.StatusCode != tc.status || !strings.Contains(resp.Body, tc.says) {
				t.Fatalf("%d %s, %v; want %d naming %q", resp.StatusCode, resp.Body, err, tc.status, tc.says)
			}
			if err := api.Check(tc.req, resp); err != nil {
				t.Error(err)
			}
		})
	}
	resp, err := get(ctx, request("GET /merchant/settlements/{date}", map[string]string{"date": day.String()}, map[string]string{"format": "csv"}, "", merchant))
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Body, "merchant,date,kind") || !strings.Contains(resp.Body, ",payout,") {
		t.Errorf("csv: %d %q, %v", resp.StatusCode, resp.Body, err)
	}
	// The statement links to the CSV the run exported to S3: the same file.
	req := request("GET /merchant/settlements/{date}", map[string]string{"date": day.String()}, nil, "", merchant)
	js, err := get(ctx, req)
	if err != nil || js.StatusCode != 200 {
		t.Fatalf("statement: %d %v", js.StatusCode, err)
	}
	if err := api.Check(req, js); err != nil {
		t.Error(err)
	}
	var st settleapi.Statement
	if err := json.Unmarshal([]byte(js.Body), &st); err != nil || st.Export == nil {
		t.Fatalf("statement without an export link: %s (%v)", js.Body, err)
	}
	dl, err := http.Get(st.Export.URL)
	if err != nil {
		t.Fatal(err)
	}
	exported, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if dl.StatusCode != 200 || string(exported) != resp.Body {
		t.Errorf("exported CSV (%d):\n%s\nwant the statement's:\n%s", dl.StatusCode, exported, resp.Body)
	}
}
