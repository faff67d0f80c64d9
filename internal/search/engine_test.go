package search_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/search"
)

var (
	demoOnce sync.Once
	demoDir  string
	demoEng  *search.Engine
	demoErr  error
)

// demoEngine builds the demo catalog's snapshot once per test binary.
func demoEngine(t *testing.T) *search.Engine {
	t.Helper()
	demoOnce.Do(func() {
		var dir string
		dir, demoErr = mkTemp()
		if demoErr != nil {
			return
		}
		b := demo.Catalog()
		if _, demoErr = search.BuildWithSales(context.Background(), search.Join(b.Products, b.SKUs), demoSales(), dir); demoErr != nil {
			return
		}
		demoDir = dir
		demoEng, demoErr = search.Open(dir)
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoEng
}

// demoSales gives every third demo product 1 to 5 paid orders (ties
// included).
func demoSales() map[string]int64 {
	sales := map[string]int64{}
	for i, p := range demo.Catalog().Products {
		if i%3 == 0 {
			sales[p.ID] = int64(1 + i%5)
		}
	}
	return sales
}

func names(r search.Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.Doc.Name.ZH+"/"+h.Doc.Name.EN)
	}
	return out
}

func TestRelevance(t *testing.T) {
	e := demoEngine(t)
	ctx := context.Background()
	tests := []struct {
		q        string
		wantTop  string // substring of the top hit's "zh/en" name
		wantNone bool
	}{
		{q: "茶", wantTop: "茶"},
		{q: "耳机", wantTop: "无线耳机"},
		{q: "蓝牙音箱", wantTop: "蓝牙音箱"},
		{q: "龍井", wantTop: "龙井"},
		{q: "longjing", wantTop: "龙井"},
		{q: "hongloumeng", wantTop: "红楼梦"},
		{q: "earbud", wantTop: "Earbuds"},
		{q: "bluetoth speaker", wantTop: "Bluetooth Speaker"},
		{q: "smart watch", wantTop: "Smartwatch"},
		{q: "xyzzy", wantNone: true},
		{q: "+title:tea -coffee", wantNone: true}, // as text: title, tea and coffee
		{q: "/.*/", wantNone: true},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			r, err := e.Search(ctx, search.Request{Query: tt.q, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantNone {
				if r.Total != 0 {
					t.Fatalf("total = %d, want 0: %v", r.Total, names(r))
				}
				return
			}
			if len(r.Hits) == 0 || !strings.Contains(names(r)[0], tt.wantTop) {
				t.Fatalf("top hits %v, want first containing %q", names(r), tt.wantTop)
			}
		})
	}
}
