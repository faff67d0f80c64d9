package search_test

import (
	"context"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/search"
	"github.com/jiaoyi-dev/jiaoyi/internal/search/synth"
)

// benchEngine builds a 10,000-product synthetic snapshot (cmd/searchbench
// measures 100,000).
func benchEngine(b *testing.B) *search.Engine {
	b.Helper()
	dir := b.TempDir()
	if _, err := search.Build(context.Background(), synth.Products(10000), dir); err != nil {
		b.Fatal(err)
	}
	e, err := search.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	return e
}

func BenchmarkSearch(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		q := synth.Queries[i%len(synth.Queries)]
		if _, err := e.Search(ctx, search.Request{Query: q, Limit: 20}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSuggest(b *testing.B) {
	e := benchEngine(b)
	for i := 0; b.Loop(); i++ {
		e.Suggest(synth.Prefixes[i%len(synth.Prefixes)], search.MaxSuggestions)
	}
}
