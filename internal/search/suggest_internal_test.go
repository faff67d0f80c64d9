package search

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
)

// referenceSuggest is the plain algorithm Suggest must agree with: every
// display among the first scanLimit keys starting with q, those whose key
// starts the display first, then shorter, then alphabetical.
func referenceSuggest(es []entry, q string, n int) []string {
	i := sort.Search(len(es), func(i int) bool { return es[i].key >= q })
	start := map[string]bool{}
	var order []string
	for k := i; k < len(es) && k-i < scanLimit && strings.HasPrefix(es[k].key, q); k++ {
		s, ok := start[es[k].display]
		if !ok {
			order = append(order, es[k].display)
		}
		start[es[k].display] = s || es[k].start
	}
	sort.SliceStable(order, func(a, b int) bool {
		if start[order[a]] != start[order[b]] {
			return start[order[a]]
		}
		la, lb := utf8.RuneCountInString(order[a]), utf8.RuneCountInString(order[b])
		if la != lb {
			return la < lb
		}
		return order[a] < order[b]
	})
	return order[:min(n, len(order))]
}

// Suggest keeps only the best n as it scans; it answers exactly what the
// plain algorithm does for every one- to three-character prefix of the
// demo catalog's keys, at every n.
func TestSuggestMatchesReference(t *testing.T) {
	b := demo.Catalog()
	var docs []Doc
	for _, p := range Join(b.Products, b.SKUs) {
		if d, ok := NewDoc(p); ok {
			docs = append(docs, d)
		}
	}
	e := &Engine{suggest: newSuggester(docs)}
	prefixes := map[string]bool{}
	for _, en := range e.suggest.entries {
		r := []rune(en.key)
		for l := 1; l <= 3 && l <= len(r); l++ {
			prefixes[string(r[:l])] = true
		}
	}
	checked := 0
	for q := range prefixes {
		if normalize(q) != q {
			continue
		}
		for _, n := range []int{1, 3, MaxSuggestions} {
			got, want := e.Suggest(q, n), referenceSuggest(e.suggest.entries, q, n)
			if !slices.Equal(got, want) {
				t.Fatalf("Suggest(%q, %d) = %v, want %v", q, n, got, want)
			}
			checked++
		}
	}
	if checked < 1000 {
		t.Errorf("only %d cases", checked)
	}
}
