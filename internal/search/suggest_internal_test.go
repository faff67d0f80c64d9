package search

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
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
func referenceSuggest(s *suggester, q string, n int) []string {
	i := sort.Search(s.len(), func(i int) bool { return s.key(i) >= q })
	start := map[string]bool{}
	var order []string
	for k := i; k < s.len() && k-i < scanLimit && strings.HasPrefix(s.key(k), q); k++ {
		d := s.displays[s.disp(k)]
		st, ok := start[d]
		if !ok {
			order = append(order, d)
		}
		start[d] = st || s.start(k)
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
	for i := range e.suggest.len() {
		r := []rune(e.suggest.key(i))
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
			got, want := e.Suggest(q, n), referenceSuggest(e.suggest, q, n)
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

// The stored suggester reads back as built; a damaged file is refused.
func TestSuggesterFile(t *testing.T) {
	b := demo.Catalog()
	var docs []Doc
	for _, p := range Join(b.Products, b.SKUs) {
		if d, ok := NewDoc(p); ok {
			docs = append(docs, d)
		}
	}
	s := newSuggester(docs)
	path := filepath.Join(t.TempDir(), suggestFile)
	if err := s.write(path); err != nil {
		t.Fatal(err)
	}
	got, err := readSuggester(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.displays, s.displays) || !reflect.DeepEqual(got.texts, s.texts) || !slices.Equal(got.tdisp, s.tdisp) ||
		!slices.Equal(got.ref, s.ref) || !slices.Equal(got.at, s.at) {
		t.Fatal("the suggester read back differs")
	}
	raw, _ := os.ReadFile(path)
	for _, bad := range [][]byte{raw[:len(raw)-1], append(append([]byte{}, raw...), 0), []byte("JYSUGG2\n\xff\xff\xff\xff"), []byte("nonsense")} {
		_ = os.WriteFile(path, bad, 0o644)
		if _, err := readSuggester(path); err == nil {
			t.Errorf("a damaged file (%d bytes) was read", len(bad))
		}
	}
}

// A snapshot built before the suggester and gob docs were stored (docs in
// JSON, no suggest.bin) opens and answers the same.
func TestOpensOlderSnapshots(t *testing.T) {
	dir := t.TempDir()
	b := demo.Catalog()
	if _, err := Build(context.Background(), Join(b.Products, b.SKUs), dir); err != nil {
		t.Fatal(err)
	}
	e, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, wantDoc := e.Suggest("龙", 10), e.Len()
	e.Close()
	docs, err := readDocs(dir)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(docs)
	if err := os.WriteFile(filepath.Join(dir, docsJSON), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{docsFile, suggestFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	old, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if got := old.Suggest("龙", 10); !slices.Equal(got, want) || old.Len() != wantDoc || len(want) == 0 {
		t.Errorf("older snapshot: %d docs, suggest %v; want %d, %v", old.Len(), got, wantDoc, want)
	}
}
