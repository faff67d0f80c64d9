package search

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/search/synth"
)

// bleveFields is the Bleve sort each Sort had when Bleve sorted.
func bleveFields(s Sort, browse bool) []string {
	switch s {
	case PriceAsc:
		return []string{"price", "_id"}
	case PriceDesc:
		return []string{"-pricemax", "_id"}
	case Newest:
		return []string{"-created", "_id"}
	case Bestselling:
		return []string{"-sales", "-created", "_id"}
	}
	if browse {
		return []string{"-created", "_id"}
	}
	return []string{"-_score", "_id"}
}

// bleveSearch is Search as it was when Bleve sorted, paged and counted
// the facets: the reference the columns must agree with. Its cursors hold
// "_score" for a score (so Bleve's own relevance cursors led nowhere); it
// reads Search's cursors, which hold the score.
func bleveSearch(ctx context.Context, e *Engine, r Request) (Result, error) {
	q := normalize(r.Query)
	if r.Sort == "" {
		r.Sort = Relevance
	}
	if r.Limit <= 0 {
		r.Limit = 20
	}
	req := bleve.NewSearchRequestOptions(e.listQuery(q, r), r.Limit+1, 0, false)
	req.SortBy(bleveFields(r.Sort, q == ""))
	if r.Cursor != "" {
		c, err := decodeCursor(r.Cursor)
		if err != nil {
			return Result{}, err
		}
		req.SetSearchAfter(c.After)
	}
	AddBleveFacets(req)
	res, err := e.idx.SearchInContext(ctx, req)
	if err != nil {
		return Result{}, err
	}
	out := Result{Total: res.Total}
	hits := res.Hits
	if len(hits) > r.Limit {
		hits = hits[:r.Limit]
		out.NextCursor = encodeCursor(cursor{Sort: r.Sort, Query: q, After: hits[len(hits)-1].Sort})
	}
	rs := runs(q)
	for _, h := range hits {
		d, _ := e.Doc(h.ID)
		hit := Hit{Doc: d, Score: h.Score}
		hit.Highlight.ZH = highlight(d.Name.ZH, rs, true)
		hit.Highlight.EN = highlight(d.Name.EN, rs, false)
		out.Hits = append(out.Hits, hit)
	}
	out.Facets = Facets{Category: []Bucket{}, Brand: []Bucket{}, Price: []PriceBucket{}}
	for _, t := range res.Facets["category"].Terms.Terms() {
		out.Facets.Category = append(out.Facets.Category, Bucket{Value: t.Term, Count: t.Count})
	}
	for _, t := range res.Facets["brand"].Terms.Terms() {
		out.Facets.Brand = append(out.Facets.Brand, Bucket{Value: t.Term, Count: t.Count})
	}
	counts := map[string]int{}
	for _, nr := range res.Facets["price"].NumericRanges {
		counts[nr.Name] = nr.Count
	}
	for i, lo := range priceEdges {
		b := PriceBucket{Min: lo, Count: counts[fmt.Sprint(i)]}
		if i+1 < len(priceEdges) {
			hi := priceEdges[i+1]
			b.Max = &hi
		}
		out.Facets.Price = append(out.Facets.Price, b)
	}
	return out, nil
}

// TestSearchMatchesBleve runs listings over a generated catalog both ways
// and pages through the first pages: hits, order, scores, highlights,
// totals, facets and cursors must be the same.
func TestSearchMatchesBleve(t *testing.T) {
	ctx := context.Background()
	products := synth.Products(3000)
	store := id.Derive(id.Store, "collect-test")
	for i := range products {
		p := &products[i]
		switch {
		case i%97 == 0:
			p.Brand = "" // no brand
		case i%101 == 0:
			p.Category = ""
		}
		if i%3 == 0 {
			p.SKUs[0].Stock = map[string]int64{store: 2}
		}
	}
	// Sales with many ties (and most products without any), so the
	// bestselling sort's later fields decide too.
	sales := map[string]int64{}
	for i, p := range products {
		if i%4 == 0 {
			sales[p.ID] = int64(i % 9)
		}
	}
	dir := t.TempDir()
	if _, err := BuildWithSales(ctx, products, sales, dir); err != nil {
		t.Fatal(err)
	}
	e, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cat, brand := e.list[0].Category, e.list[0].Brand
	brand2 := e.list[len(e.list)/2].Brand

	var reqs []Request
	for _, q := range append(synth.Queries, "xyzzy", "!!!", "the", "茶 Pro", "tea gift") {
		reqs = append(reqs, Request{Query: q})
	}
	filtered := []Request{
		{Category: cat},
		{Brands: []string{brand, brand2}},
		{PriceMin: 10000, PriceMax: 20000},
		{PriceMin: 100000},
		{PriceMax: 5000},
		{InStock: true},
		{Store: store},
		{Store: "sto_nowhere"},
		{Category: cat, InStock: true, PriceMax: 50000},
	}
	for _, f := range filtered {
		reqs = append(reqs, f)
		for _, q := range []string{"茶", "tea", "wireless earbuds", "longjing"} {
			f.Query = q
			reqs = append(reqs, f)
		}
	}
	sorts := []Sort{Relevance, PriceAsc, PriceDesc, Newest, Bestselling}
	for _, r := range reqs {
		for _, s := range sorts {
			r := r
			r.Sort, r.Limit = s, 7
			name := fmt.Sprintf("%q/%s/%v/%v/%d-%d/%v/%s", r.Query, r.Category, r.Brands, s, r.PriceMin, r.PriceMax, r.InStock, r.Store)
			t.Run(name, func(t *testing.T) {
				for page := 0; page < 4; page++ {
					got, err := e.Search(ctx, r)
					if err != nil {
						t.Fatal(err)
					}
					want, err := bleveSearch(ctx, e, r)
					if err != nil {
						t.Fatal(err)
					}
					sameResult(t, page, r, got, want)
					if got.NextCursor == "" {
						return
					}
					r.Cursor = got.NextCursor
				}
			})
		}
	}
}

func sameResult(t *testing.T, page int, r Request, got, want Result) {
	t.Helper()
	if got.Total != want.Total {
		t.Fatalf("page %d: total = %d, want %d", page, got.Total, want.Total)
	}
	if !reflect.DeepEqual(got.Facets, want.Facets) {
		t.Fatalf("page %d: facets\n got %+v\nwant %+v", page, got.Facets, want.Facets)
	}
	if len(got.Hits) != len(want.Hits) {
		t.Fatalf("page %d: %d hits, want %d", page, len(got.Hits), len(want.Hits))
	}
	for i := range got.Hits {
		g, w := got.Hits[i], want.Hits[i]
		if g.Doc != w.Doc || g.Highlight != w.Highlight || g.Score != w.Score {
			t.Fatalf("page %d hit %d: %s %v %+v, want %s %v %+v", page, i, g.Doc.ID, g.Score, g.Highlight, w.Doc.ID, w.Score, w.Highlight)
		}
	}
	if (got.NextCursor == "") != (want.NextCursor == "") {
		t.Fatalf("page %d: cursor %q, want %q", page, got.NextCursor, want.NextCursor)
	}
	if got.NextCursor == "" {
		return
	}
	gc, err := decodeCursor(got.NextCursor)
	if err != nil {
		t.Fatal(err)
	}
	wc, _ := decodeCursor(want.NextCursor)
	if wc.After[0] == "_score" {
		// Bleve's relevance cursor: the score instead of "_score".
		wc.After[0] = strconv.FormatFloat(got.Hits[len(got.Hits)-1].Score, 'g', -1, 64)
	}
	if !reflect.DeepEqual(gc, wc) {
		t.Fatalf("page %d: cursor %+v, want %+v", page, gc, wc)
	}
}

// TestRelevancePagesThroughEveryMatchOnce: a relevance cursor holds the
// last hit's score, so the next page follows it (Bleve's cursors held
// "_score" and led to an empty page).
func TestRelevancePagesThroughEveryMatchOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Build(ctx, synth.Products(1000), dir); err != nil {
		t.Fatal(err)
	}
	e, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, q := range []string{"茶", "tea", "耳机"} {
		t.Run(q, func(t *testing.T) {
			all, err := e.Search(ctx, Request{Query: q, Limit: 1000})
			if err != nil || all.Total < 5 {
				t.Fatalf("all: %v, total %d", err, all.Total)
			}
			var ids []string
			r := Request{Query: q, Limit: 3}
			for {
				page, err := e.Search(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range page.Hits {
					ids = append(ids, h.Doc.ID)
				}
				if page.NextCursor == "" {
					break
				}
				r.Cursor = page.NextCursor
			}
			if len(ids) != len(all.Hits) {
				t.Fatalf("paged through %d hits, want %d", len(ids), len(all.Hits))
			}
			for i, h := range all.Hits {
				if ids[i] != h.Doc.ID {
					t.Fatalf("hit %d: %s, want %s", i, ids[i], h.Doc.ID)
				}
			}
		})
	}
}
