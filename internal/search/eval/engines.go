package eval

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/blevesearch/bleve/v2"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/search"
)

// Ours adapts the search engine to Engine.
func Ours(e *search.Engine) Engine {
	return func(ctx context.Context, q string, k int) ([]string, error) {
		r, err := e.Search(ctx, search.Request{Query: q, Limit: k})
		if err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(r.Hits))
		for _, h := range r.Hits {
			ids = append(ids, h.Doc.ID)
		}
		return ids, nil
	}
}

// Stock indexes the active products in dir with Bleve's stock defaults
// (default mapping: standard analyzer, TF-IDF scoring, every field in
// _all) and queries with a plain match query: the baseline. It answers
// what the listing route answers, as Ours does: the top k and the
// category, brand and price facets (search.AddBleveFacets).
func Stock(dir string, products []catalog.ProductDetail) (Engine, func() error, error) {
	idx, err := bleve.New(filepath.Join(dir, "stock"), bleve.NewIndexMapping())
	if err != nil {
		return nil, nil, fmt.Errorf("eval: stock index: %w", err)
	}
	b := idx.NewBatch()
	for _, p := range products {
		if p.Status != catalog.Active {
			continue
		}
		doc := map[string]any{"name_zh": p.Name.ZH, "name_en": p.Name.EN, "desc_zh": p.Description.ZH, "desc_en": p.Description.EN,
			"brand": p.Brand, "category": p.Category}
		if d, ok := search.NewDoc(p); ok {
			doc["price"] = float64(d.PriceMin)
		}
		if err := b.Index(p.ID, doc); err != nil {
			idx.Close()
			return nil, nil, fmt.Errorf("eval: stock index: %w", err)
		}
	}
	if err := idx.Batch(b); err != nil {
		idx.Close()
		return nil, nil, fmt.Errorf("eval: stock index: %w", err)
	}
	engine := func(ctx context.Context, q string, k int) ([]string, error) {
		req := bleve.NewSearchRequestOptions(bleve.NewMatchQuery(q), k, 0, false)
		search.AddBleveFacets(req)
		res, err := idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(res.Hits))
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		return ids, nil
	}
	return engine, idx.Close, nil
}
