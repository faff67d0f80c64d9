package search_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/search"
)

func activeCount() int {
	n := 0
	for _, p := range demo.Catalog().Products {
		if p.Status == catalog.Active {
			n++
		}
	}
	return n
}

func TestBrowsePagesThroughEveryActiveProductOnce(t *testing.T) {
	e := demoEngine(t)
	for _, s := range []search.Sort{search.Relevance, search.PriceAsc, search.PriceDesc, search.Newest, search.Bestselling} {
		t.Run(string(s), func(t *testing.T) {
			seen := map[string]bool{}
			req := search.Request{Sort: s, Limit: 37}
			var prev *search.Doc
			var firstID string
			for pages := 0; ; pages++ {
				r, err := e.Search(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := int(r.Total), activeCount(); got != want {
					t.Fatalf("total = %d, want %d", got, want)
				}
				for _, h := range r.Hits {
					if seen[h.Doc.ID] {
						t.Fatalf("%s seen twice", h.Doc.ID)
					}
					seen[h.Doc.ID] = true
					if firstID == "" {
						firstID = h.Doc.ID
					}
					if prev != nil {
						switch s {
						case search.PriceAsc:
							if h.Doc.PriceMin < prev.PriceMin {
								t.Fatalf("price_asc: %d after %d", h.Doc.PriceMin, prev.PriceMin)
							}
						case search.PriceDesc:
							if h.Doc.PriceMax > prev.PriceMax {
								t.Fatalf("price_desc: %d after %d", h.Doc.PriceMax, prev.PriceMax)
							}
						case search.Newest:
							if h.Doc.Created.After(prev.Created) {
								t.Fatalf("newest: %v after %v", h.Doc.Created, prev.Created)
							}
						case search.Bestselling:
							if h.Doc.Sales > prev.Sales || h.Doc.Sales == prev.Sales && h.Doc.Created.After(prev.Created) {
								t.Fatalf("bestselling: %d sales (%v) after %d (%v)", h.Doc.Sales, h.Doc.Created, prev.Sales, prev.Created)
							}
						}
					}
					prev = h.Doc
				}
				if r.NextCursor == "" {
					break
				}
				req.Cursor = r.NextCursor
			}
			if got, want := len(seen), activeCount(); got != want {
				t.Fatalf("paged through %d products, want %d", got, want)
			}
			if first := demoSales(); s == search.Bestselling && first[firstID] != 5 {
				t.Errorf("bestselling starts with %s (%d sales), want one with the most (5)", firstID, first[firstID])
			}
		})
	}
}

func TestFiltersAndFacets(t *testing.T) {
	e := demoEngine(t)
	ctx := context.Background()
	tests := []struct {
		name string
		req  search.Request
		ok   func(*search.Doc) bool
	}{
		{"category", search.Request{Category: "tea"}, func(d *search.Doc) bool { return d.Category == "tea" }},
		{"brands", search.Request{Brands: []string{"Yunnan", "Anxi"}}, func(d *search.Doc) bool { return d.Brand == "Yunnan" || d.Brand == "Anxi" }},
		{"price", search.Request{PriceMin: 10000, PriceMax: 20000}, func(d *search.Doc) bool { return d.PriceMax >= 10000 && d.PriceMin <= 20000 }},
		{"in stock", search.Request{InStock: true}, func(d *search.Doc) bool { return d.InStock }},
		{"query and category", search.Request{Query: "茶", Category: "home"}, func(d *search.Doc) bool { return d.Category == "home" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Limit = 100
			r, err := e.Search(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if r.Total == 0 {
				t.Fatal("no hits")
			}
			for _, h := range r.Hits {
				if !tt.ok(h.Doc) {
					t.Errorf("%s (%s, %s, %d-%d) does not pass the filter", h.Doc.ID, h.Doc.Category, h.Doc.Brand, h.Doc.PriceMin, h.Doc.PriceMax)
				}
			}
			sum := 0
			for _, b := range r.Facets.Category {
				sum += b.Count
			}
			if sum != int(r.Total) {
				t.Errorf("category facet counts sum to %d, want total %d", sum, r.Total)
			}
			sum = 0
			for _, b := range r.Facets.Price {
				sum += b.Count
			}
			if sum != int(r.Total) {
				t.Errorf("price facet counts sum to %d, want total %d", sum, r.Total)
			}
		})
	}
}

func TestCursorMustMatchQueryAndSort(t *testing.T) {
	e := demoEngine(t)
	ctx := context.Background()
	r, err := e.Search(ctx, search.Request{Query: "tea", Limit: 2})
	if err != nil || r.NextCursor == "" {
		t.Fatalf("first page: %v, cursor %q", err, r.NextCursor)
	}
	for name, req := range map[string]search.Request{
		"garbage":     {Query: "tea", Cursor: "!!!"},
		"other query": {Query: "coffee", Cursor: r.NextCursor},
		"other sort":  {Query: "tea", Sort: search.PriceAsc, Cursor: r.NextCursor},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := e.Search(ctx, req); !errors.Is(err, search.ErrCursor) {
				t.Fatalf("err = %v, want ErrCursor", err)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	e := demoEngine(t)
	tests := []struct{ q, want, or string }{
		{"龙", "龙井", "龙井"}, {"blue", "Bluetooth", "Bluetooth"}, {"longj", "龙井", "Longjing"},
		{"xihul", "西湖", "西湖"}, {"West L", "West Lake", "West Lake"}, {"紅樓", "红楼梦", "红楼梦"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got := e.Suggest(tt.q, 10)
			if len(got) == 0 || len(got) > 10 {
				t.Fatalf("Suggest(%q) = %v, want 1..10", tt.q, got)
			}
			for _, s := range got {
				if !contains(s, tt.want) && !contains(s, tt.or) {
					t.Errorf("Suggest(%q) gave %q, want only names containing %q", tt.q, s, tt.want)
				}
			}
		})
	}
	if got := e.Suggest("xyzzy", 10); len(got) != 0 {
		t.Errorf("Suggest(xyzzy) = %v, want none", got)
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestSimilar(t *testing.T) {
	e := demoEngine(t)
	r, err := e.Search(context.Background(), search.Request{Query: "西湖龙井", Limit: 1})
	if err != nil || len(r.Hits) == 0 {
		t.Fatal(err)
	}
	src := r.Hits[0].Doc
	sim, err := e.Similar(context.Background(), src.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(sim) != 5 {
		t.Fatalf("got %d similar, want 5", len(sim))
	}
	for _, h := range sim {
		if h.Doc.ID == src.ID {
			t.Error("product is similar to itself")
		}
		if h.Doc.Category != "tea" {
			t.Errorf("similar to %s: %s (%s)", src.Name.ZH, h.Doc.Name.ZH, h.Doc.Category)
		}
	}
	if _, err := e.Similar(context.Background(), "prd_unknown", 5); !errors.Is(err, search.ErrNotFound) {
		t.Errorf("unknown id: err = %v, want ErrNotFound", err)
	}
}
