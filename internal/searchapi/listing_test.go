package searchapi_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/emulator"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/search"
	"github.com/jiaoyi-dev/jiaoyi/internal/search/snapshot"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

type searchHandlers struct {
	list, suggest, similar apigw.Handler
	repo                   *catalog.Repository
}

// setupSearch seeds the demo catalog into a fresh table, publishes its
// snapshot to a fresh bucket and builds the handlers from the environment.
func setupSearch(t *testing.T) searchHandlers {
	t.Helper()
	ctx := context.Background()
	env := awstest.Tables(t, resource.Catalog)
	db := awstest.DynamoDB(t)
	table := env[resource.Catalog.EnvVar]
	repo := catalog.NewRepository(db, table)
	// The snapshot holds the whole demo catalog; the table (read for
	// fresh stock) only its tea, which keeps the test fast.
	full := demo.Catalog()
	var tea catalog.Batch
	for _, p := range full.Products {
		if p.Category == "tea" {
			tea.Products = append(tea.Products, p)
		}
	}
	for _, d := range search.Join(tea.Products, full.SKUs) {
		tea.SKUs = append(tea.SKUs, d.SKUs...)
	}
	if err := repo.Write(ctx, tea); err != nil {
		t.Fatal(err)
	}
	client := awstest.S3(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	bucket := "searchapi-test-" + hex.EncodeToString(b)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := search.Build(ctx, search.Join(full.Products, full.SKUs), dir); err != nil {
		t.Fatal(err)
	}
	if _, err := snapshot.Publish(ctx, client, bucket, dir); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ENDPOINT_URL", awstest.Endpoint(t))
	t.Setenv("AWS_REGION", emulator.Region)
	t.Setenv("AWS_ACCESS_KEY_ID", emulator.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", emulator.SecretAccessKey)
	t.Setenv("JIAOYI_TABLE_CATALOG", table)
	t.Setenv("JIAOYI_SEARCH_BUCKET", bucket)
	t.Setenv("JIAOYI_SEARCH_DIR", t.TempDir())
	t.Setenv("LOG_LEVEL", "error")
	var h searchHandlers
	var err error
	h.repo = repo
	if h.list, err = searchapi.NewSearchProducts(ctx); err != nil {
		t.Fatal(err)
	}
	if h.suggest, err = searchapi.NewSuggestProducts(ctx); err != nil {
		t.Fatal(err)
	}
	if h.similar, err = searchapi.NewSimilarProducts(ctx); err != nil {
		t.Fatal(err)
	}
	return h
}

func listRequest(route, path string, q url.Values, pathParams map[string]string) apigw.Request {
	req := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: route, RawPath: path, RawQueryString: q.Encode(), PathParameters: pathParams}
	req.QueryStringParameters = map[string]string{}
	for k, v := range q {
		req.QueryStringParameters[k] = strings.Join(v, ",")
	}
	req.RequestContext.HTTP.Method = http.MethodGet
	req.RequestContext.HTTP.Path = path
	req.RequestContext.RequestID = "test"
	return req
}

func call(t *testing.T, h apigw.Handler, req apigw.Request, wantStatus int, v any) {
	t.Helper()
	resp, err := h(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, wantStatus, resp.Body)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(resp.Body), v); err != nil {
			t.Fatalf("decode %s: %v", resp.Body, err)
		}
	}
}

func TestSearchHandlers(t *testing.T) {
	h := setupSearch(t)
	active := 0
	for _, p := range demo.Catalog().Products {
		if p.Status == catalog.Active {
			active++
		}
	}

	t.Run("query with facets and highlight", func(t *testing.T) {
		var page searchapi.Page
		call(t, h.list, listRequest("GET /products", "/products", url.Values{"q": {"龍井"}, "limit": {"5"}}, nil), 200, &page)
		if len(page.Items) != 5 || page.Total < 5 || page.NextCursor == nil {
			t.Fatalf("items %d, total %d, cursor %v; want 5 of more, with a cursor", len(page.Items), page.Total, page.NextCursor)
		}
		if !strings.Contains(page.Items[0].Highlight.ZH, "<em>龙井</em>") {
			t.Errorf("highlight %q, want <em>龙井</em>", page.Items[0].Highlight.ZH)
		}
		if len(page.Facets.Category) == 0 || page.Facets.Category[0].Value != "tea" {
			t.Errorf("category facets %+v, want tea first", page.Facets.Category)
		}
		if len(page.Facets.Price) == 0 {
			t.Error("no price facets")
		}
	})

	t.Run("browse pages through the catalog", func(t *testing.T) {
		seen := map[string]bool{}
		q := url.Values{"limit": {"100"}, "sort": {"price_asc"}}
		for {
			var page searchapi.Page
			call(t, h.list, listRequest("GET /products", "/products", q, nil), 200, &page)
			for _, it := range page.Items {
				if seen[it.ID] {
					t.Fatalf("%s twice", it.ID)
				}
				seen[it.ID] = true
			}
			if page.NextCursor == nil {
				break
			}
			q.Set("cursor", *page.NextCursor)
		}
		if len(seen) != active {
			t.Fatalf("saw %d products, want %d", len(seen), active)
		}
	})

	t.Run("brand filter repeats and stock is read fresh", func(t *testing.T) {
		var page searchapi.Page
		call(t, h.list, listRequest("GET /products", "/products", url.Values{"brand": {"Yunnan", "Anxi"}, "category": {"tea"}, "limit": {"100"}}, nil), 200, &page)
		if len(page.Items) == 0 {
			t.Fatal("no items")
		}
		for _, it := range page.Items {
			if it.Brand != "Yunnan" && it.Brand != "Anxi" {
				t.Errorf("brand %q passed the filter", it.Brand)
			}
		}
		// Sell out the first item's SKUs: the next page shows it out of
		// stock though the snapshot says otherwise.
		first := page.Items[0]
		p, err := h.repo.Product(context.Background(), first.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := range p.SKUs {
			p.SKUs[i].Available = 0
			for loc := range p.SKUs[i].Stock {
				p.SKUs[i].Stock[loc] = 0 // per-location stock sums to available
			}
		}
		if err := h.repo.Write(context.Background(), catalog.Batch{SKUs: p.SKUs}); err != nil {
			t.Fatal(err)
		}
		call(t, h.list, listRequest("GET /products", "/products", url.Values{"brand": {"Yunnan", "Anxi"}, "category": {"tea"}, "limit": {"100"}}, nil), 200, &page)
		for _, it := range page.Items {
			if it.ID == first.ID && it.InStock {
				t.Errorf("%s sold out but shown in stock", it.ID)
			}
		}
	})

	t.Run("the store filter keeps what the store has for pickup", func(t *testing.T) {
		store := demo.Stores()[0].ID
		want := 0
		for _, d := range search.Join(demo.Catalog().Products, demo.Catalog().SKUs) {
			if doc, ok := search.NewDoc(d); ok && d.Category == "tea" && slices.Contains(doc.Stores, store) {
				want++
			}
		}
		if want == 0 {
			t.Fatal("the demo store stocks no tea: the test proves nothing")
		}
		var page searchapi.Page
		call(t, h.list, listRequest("GET /products", "/products", url.Values{"store": {store}, "category": {"tea"}, "limit": {"100"}}, nil), 200, &page)
		if int(page.Total) != want || len(page.Items) != want {
			t.Fatalf("total %d (%d items), want the %d tea products with stock at the store", page.Total, len(page.Items), want)
		}
		for _, it := range page.Items {
			// Read fresh: an earlier subtest sold one product out.
			p, err := h.repo.Product(context.Background(), it.ID)
			if err != nil {
				t.Fatal(err)
			}
			has := slices.ContainsFunc(p.SKUs, func(s catalog.SKU) bool { return s.StockAt(store) > 0 })
			if it.InStockAtStore == nil || *it.InStockAtStore != has {
				t.Errorf("%s: inStockAtStore %v, want %v", it.ID, it.InStockAtStore, has)
			}
		}
		call(t, h.list, listRequest("GET /products", "/products", url.Values{"store": {id.New(id.Store)}}, nil), 200, &page)
		if page.Total != 0 {
			t.Errorf("a store that holds nothing: total %d, want 0", page.Total)
		}
	})

	long := strings.Repeat("茶", 201)
	for _, tt := range []struct {
		name, param, value string
	}{
		{"long query", "q", long}, {"unknown sort", "sort", "cheapest"}, {"limit zero", "limit", "0"},
		{"limit too big", "limit", "101"}, {"limit not a number", "limit", "ten"}, {"bad cursor", "cursor", "%%%"},
		{"negative price", "priceMin", "-1"}, {"price not a number", "priceMax", "12.5"}, {"bad store", "store", "shop1"},
		{"bad inStock", "inStock", "yes"},
	} {
		t.Run("400 "+tt.name, func(t *testing.T) {
			var prob struct {
				Field string `json:"field"`
			}
			call(t, h.list, listRequest("GET /products", "/products", url.Values{tt.param: {tt.value}}, nil), 400, &prob)
			if prob.Field != tt.param {
				t.Errorf("field = %q, want %q", prob.Field, tt.param)
			}
		})
	}

	t.Run("suggest", func(t *testing.T) {
		var s searchapi.Suggestions
		call(t, h.suggest, listRequest("GET /products/suggest", "/products/suggest", url.Values{"q": {"long"}}, nil), 200, &s)
		if len(s.Suggestions) == 0 || len(s.Suggestions) > 10 {
			t.Fatalf("suggestions %v, want 1..10", s.Suggestions)
		}
		call(t, h.suggest, listRequest("GET /products/suggest", "/products/suggest", url.Values{"q": {long}}, nil), 400, nil)
	})

	t.Run("similar", func(t *testing.T) {
		pid := demo.Catalog().Products[0].ID
		var s searchapi.SimilarItems
		call(t, h.similar, listRequest("GET /products/{id}/similar", "/products/"+pid+"/similar", nil, map[string]string{"id": pid}), 200, &s)
		if len(s.Items) != 10 {
			t.Fatalf("%d similar items, want 10", len(s.Items))
		}
		call(t, h.similar, listRequest("GET /products/{id}/similar", "/products/x/similar", nil, map[string]string{"id": "x"}), 400, nil)
		unknown := id.New(id.Product)
		call(t, h.similar, listRequest("GET /products/{id}/similar", "/products/"+unknown+"/similar", nil, map[string]string{"id": unknown}), 404, nil)
	})
}
