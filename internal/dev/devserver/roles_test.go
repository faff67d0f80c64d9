package devserver

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/devauth"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// samplePath fills a route's path parameters with well-formed ids.
func samplePath(path string) string {
	return strings.NewReplacer(
		"/orders/{id}", "/orders/ord_aaaaaaaaaaaaaaaa",
		"/products/{id}", "/products/prd_aaaaaaaaaaaaaaaa",
		"/stores/{id}", "/stores/sto_aaaaaaaaaaaaaaaa",
		"/purchase-orders/{id}", "/purchase-orders/po_aaaaaaaaaaaaaaaa",
		"{skuId}", "sku_aaaaaaaaaaaaaaaa",
		"{provider}", "sandbox",
	).Replace(path)
}

// Every route × every kind of caller: the route table's roles are
// enforced before any handler runs, the same way for every route.
func TestRoleMatrix(t *testing.T) {
	env := awstest.FunctionEnv(t)
	ctx := context.Background()
	repo := catalog.NewRepository(awstest.DynamoDB(t), env[resource.Catalog.EnvVar])
	if err := repo.Write(ctx, catalog.Batch{Merchants: demo.Merchants()}); err != nil {
		t.Fatal(err)
	}
	rebuilder, err := searchapi.NewRebuilder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := rebuilder.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	gw, err := Gateway(ctx, logging.New(io.Discard, "error"), devauth.Authenticator(devauth.DefaultSecret))
	if err != nil {
		t.Fatal(err)
	}
	token := func(groups ...string) string {
		tok, err := devauth.Token(devauth.DefaultSecret, "matrix-user", time.Hour, time.Now(), groups...)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	callers := []struct {
		name  string
		role  access.Role // "" for no token
		token string
	}{
		{"anonymous", "", ""},
		{"shopper", access.Shopper, token()},
		{"merchant", access.Merchant, token("merchant:" + demo.TeaHouse)},
		{"ops", access.Ops, token("ops")},
		{"bad role", "bad", token("merchant")},
	}
	for _, r := range routes.All() {
		for _, c := range callers {
			t.Run(r.Key()+" as "+c.name, func(t *testing.T) {
				req := httptest.NewRequest(r.Method, samplePath(r.Path), strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				if c.token != "" {
					req.Header.Set("Authorization", "Bearer "+c.token)
				}
				rec := httptest.NewRecorder()
				gw.ServeHTTP(rec, req)
				got := rec.Code
				var want []int // nil: any status but 401 and 403
				switch {
				case r.Public():
				case c.role == "":
					want = []int{http.StatusUnauthorized}
				case c.role == "bad" || !slices.Contains(r.Roles, c.role):
					want = []int{http.StatusForbidden}
				}
				if want == nil && (got == http.StatusUnauthorized || got == http.StatusForbidden) {
					t.Errorf("%d %s: the route is open to %s", got, rec.Body.String(), c.name)
				}
				if want != nil && !slices.Contains(want, got) {
					t.Errorf("%d %s, want %v", got, rec.Body.String(), want)
				}
				if got >= 400 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
					t.Errorf("%d answered as %q, want problem+json", got, rec.Header().Get("Content-Type"))
				}
			})
		}
	}
}

// Every route and consumer has a constructor here, the same one its
// function's main.go starts.
func TestRegistryCoversTheRouteTable(t *testing.T) {
	for _, r := range routes.All() {
		if _, ok := httpHandlers[r.Function]; !ok {
			t.Errorf("route %s: %s has no constructor", r.Key(), r.Function)
		}
	}
	for _, c := range routes.Consumers() {
		_, q := queueHandlers[c.Function]
		_, s := scheduledHandlers[c.Function]
		_, st := streamHandlers[c.Function]
		if q != (c.Queue != nil) || s != (c.Every > 0) || st != (c.Stream != nil) {
			t.Errorf("consumer %s: queue constructor %v, scheduled %v, stream %v", c.Function, q, s, st)
		}
	}
}
