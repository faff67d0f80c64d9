package searchapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func getRequest(productID string, headers map[string]string) apigw.Request {
	req := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "GET /products/{id}", RawPath: "/products/" + productID,
		Headers: headers, PathParameters: map[string]string{"id": productID},
	}
	req.RequestContext.HTTP.Method = http.MethodGet
	req.RequestContext.HTTP.Path = req.RawPath
	req.RequestContext.RequestID = "test-" + productID
	return req
}

func TestGetProduct(t *testing.T) {
	ctx := context.Background()
	env := awstest.Tables(t, resource.Catalog)
	repo := catalog.NewRepository(awstest.DynamoDB(t), env[resource.Catalog.EnvVar])
	pid := id.New(id.Product)
	stores := demo.Stores()
	jingan, nanshan := stores[0], stores[2]
	sku := catalog.SKU{ID: id.New(id.SKU), ProductID: pid, Price: money.Money{Amount: 12800, Currency: "CNY"}, Available: 7,
		Stock:      map[string]int64{"whs_aaaaaaaaaaaaaaaa": 5, jingan.ID: 2, nanshan.ID: 0},
		Attributes: []catalog.Attribute{{Key: "size", Name: catalog.Text{ZH: "规格", EN: "Size"}, Value: catalog.Text{ZH: "100克", EN: "100 g"}}}}
	p := catalog.Product{ID: pid, Name: catalog.Text{ZH: "西湖龙井", EN: "West Lake Longjing"}, Category: "tea", Brand: "West Lake",
		Status: catalog.Active, SKUIDs: []string{sku.ID}, CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := repo.Write(ctx, catalog.Batch{Products: []catalog.Product{p}, SKUs: []catalog.SKU{sku}, Stores: stores}); err != nil {
		t.Fatal(err)
	}
	h := apigw.Wrap(logging.New(new(strings.Builder), "error"), (&searchapi.Products{Catalog: repo}).Get)

	ok, _ := h(ctx, getRequest(pid, nil))
	tests := []struct {
		name       string
		id         string
		headers    map[string]string
		store      string
		wantStatus int
		wantField  string
		wantStores []string
	}{
		{"known product", pid, nil, "", 200, "", []string{jingan.ID, nanshan.ID}},
		{"one store", pid, nil, nanshan.ID, 200, "", []string{nanshan.ID}},
		{"a store that does not stock it", pid, nil, stores[1].ID, 200, "", []string{stores[1].ID}},
		{"unknown store", pid, nil, id.New(id.Store), 404, "store", nil},
		{"malformed store", pid, nil, "jingan", 400, "store", nil},
		{"unknown product", id.New(id.Product), nil, "", 404, "", nil},
		{"not an id", "abc", nil, "", 400, "id", nil},
		{"sku id in product slot", sku.ID, nil, "", 400, "id", nil},
		{"upper case", strings.ToUpper(pid), nil, "", 400, "id", nil},
		{"too long", pid + "a", nil, "", 400, "id", nil},
		{"injection attempt", "prd_' OR 1=1 --", nil, "", 400, "id", nil},
		{"empty", "", nil, "", 400, "id", nil},
		{"matching etag", pid, map[string]string{"if-none-match": ok.Headers["ETag"]}, "", 304, "", nil},
		{"stale etag", pid, map[string]string{"if-none-match": `"stale"`}, "", 200, "", []string{jingan.ID, nanshan.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := getRequest(tt.id, tt.headers)
			if tt.store != "" {
				req.RawQueryString = "store=" + tt.store
				req.QueryStringParameters = map[string]string{"store": tt.store}
			}
			resp, err := h(ctx, req)
			if err != nil {
				t.Fatalf("handler returned a Go error: %v", err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.id != "" && !strings.ContainsAny(tt.id, "' ") {
				if err := api.Check(req, resp); err != nil {
					t.Errorf("response breaks the contract: %v", err)
				}
			}
			switch {
			case resp.StatusCode == 200:
				var got searchapi.ProductPage
				if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
					t.Fatal(err)
				}
				if got.ID != pid || got.Name.ZH != "西湖龙井" || len(got.SKUs) != 1 || got.SKUs[0].Available != 7 || got.SKUs[0].Price.Amount != 12800 {
					t.Errorf("product = %+v", got)
				}
				var ids []string
				for _, st := range got.Stores {
					ids = append(ids, st.ID)
					want := sku.Stock[st.ID]
					if st.Available[sku.ID] != want || st.InStock != (want > 0) || st.Name.ZH == "" {
						t.Errorf("store %s: %+v, want %d of %s", st.ID, st, want, sku.ID)
					}
				}
				if !slices.Equal(ids, tt.wantStores) {
					t.Errorf("stores %v, want %v (most stock first, warehouses never)", ids, tt.wantStores)
				}
			case resp.StatusCode >= 400:
				if ct := resp.Headers["Content-Type"]; ct != problem.ContentType {
					t.Errorf("content type %q, want %s", ct, problem.ContentType)
				}
				var doc problem.Document
				if err := json.Unmarshal([]byte(resp.Body), &doc); err != nil {
					t.Fatal(err)
				}
				if doc.Status != tt.wantStatus || doc.Field != tt.wantField || doc.Detail == "" {
					t.Errorf("problem = %+v, want status %d naming field %q", doc, tt.wantStatus, tt.wantField)
				}
			}
		})
	}
}
