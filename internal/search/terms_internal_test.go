package search

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
)

// termDicts.match finds what a match query of the same text finds, in the
// same order, each score the match query's times one factor per query
// (the query norm), whether the field holds all, some or none of the
// terms; and it looks up no term the field lacks.
func TestTermQueriesFindWhatMatchQueriesFind(t *testing.T) {
	e := demoIndex(t)
	tests := []struct {
		field, text string
		and         bool
	}{
		{"name_zh", "龙井", true},
		{"name_zh", "蓝牙音箱", true},
		{"desc_zh", "茶", true},
		{"cat_zh", "耳机", true},
		{"name_zh", "龙井咖啡机", true}, // some bigrams missing: nothing
		{"name_en", "earbuds", false},
		{"desc_en", "wireless", false},
		{"name_en", "wi-fi speaker", false}, // several terms, any
		{"cat_en", "xyzzy", false},          // none held
		{"name_en", "the", false},           // analyzed away
	}
	for _, tc := range tests {
		t.Run(tc.field+"/"+tc.text, func(t *testing.T) {
			sameMatches(t, e, func(analyzed bool) query.Query {
				if !analyzed {
					return match(tc.field, tc.text, 2, tc.and, 0)
				}
				if strings.HasSuffix(tc.field, "zh") {
					return e.terms.match(tc.field, e.terms.zh(tc.text), 2, tc.and)
				}
				return e.terms.match(tc.field, e.terms.en(tc.text), 2, tc.and)
			})
			toks := e.terms.en(tc.text)
			if strings.HasSuffix(tc.field, "zh") {
				toks = e.terms.zh(tc.text)
			}
			for _, tok := range toks {
				q := e.terms.term(tc.field, tok, 1)
				if _, none := q.(*query.MatchNoneQuery); none == e.terms.has(tc.field, tok) {
					t.Errorf("term %q in %s: %T, held %v", tok, tc.field, q, e.terms.has(tc.field, tok))
				}
			}
		})
	}
}

// termDicts.fuzzy finds, for each field, what a fuzzy match query finds,
// in the same order and scored the same up to the query norm, from one
// automaton.
func TestFuzzyFindsWhatFuzzyMatchQueriesFind(t *testing.T) {
	e := demoIndex(t)
	fields, boosts := []string{"name_en", "desc_en", "cat_en"}, []float64{1.5, 0.5, 1}
	for _, tc := range []struct {
		word string
		f    int
	}{
		{"earbds", 1}, {"mechanicl", 2}, {"keybord", 1}, {"sunscren", 1}, {"moisturizng", 2},
		{"qwertyuiop", 2}, {"earbud", 1}, // no candidates; the term itself the only one
		{"tae", 2}, {"cak", 2}, // candidates one and two edits away
	} {
		tok := e.terms.en(tc.word)[0]
		qs, ok := e.terms.fuzzy(tok, tc.f, fields, boosts)
		if !ok || len(qs) != len(fields) {
			t.Fatalf("%s: fuzzy answered %d queries, %v", tc.word, len(qs), ok)
		}
		for i, field := range fields {
			t.Run(tc.word+"/"+field, func(t *testing.T) {
				sameMatches(t, e, func(analyzed bool) query.Query {
					if analyzed {
						return qs[i]
					}
					return match(field, tc.word, boosts[i], false, tc.f)
				})
			})
		}
	}
}

// demoIndex opens a snapshot of the demo catalog.
func demoIndex(t *testing.T) *Engine {
	t.Helper()
	b := demo.Catalog()
	dir := t.TempDir()
	if _, err := Build(context.Background(), Join(b.Products, b.SKUs), dir); err != nil {
		t.Fatal(err)
	}
	e, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// sameMatches runs q(true) and q(false) — ours and the match query — each
// beside a clause matching everything at a tiny score, so both have hits
// to compare and the query norm applies, and wants the same hits in the
// same order with scores in one ratio.
func sameMatches(t *testing.T, e *Engine, q func(analyzed bool) query.Query) {
	t.Helper()
	run := func(analyzed bool) *bleve.SearchResult {
		all := bleve.NewMatchAllQuery()
		all.SetBoost(1e-3)
		res, err := e.idx.Search(bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(q(analyzed), all), 1000, 0, false))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	got, want := run(true), run(false)
	if got.Total != want.Total || len(got.Hits) != len(want.Hits) {
		t.Fatalf("%d hits, match query %d", got.Total, want.Total)
	}
	ratio := got.Hits[0].Score / want.Hits[0].Score
	for i := range got.Hits {
		g, w := got.Hits[i], want.Hits[i]
		if g.ID != w.ID || math.Abs(g.Score/w.Score-ratio) > 1e-9*ratio {
			t.Fatalf("hit %d: %s %.12g, match query %s %.12g (ratio %.12g)", i, g.ID, g.Score, w.ID, w.Score, ratio)
		}
	}
}
