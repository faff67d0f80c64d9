package search

import (
	"context"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
)

// Typo tolerance is for words the catalog does not hold: known must tell
// them from words it holds as English text (stemmed), pinyin or initials.
func TestKnownWords(t *testing.T) {
	b := demo.Catalog()
	dir := t.TempDir()
	if _, err := Build(context.Background(), Join(b.Products, b.SKUs), dir); err != nil {
		t.Fatal(err)
	}
	e, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for w, want := range map[string]bool{
		"earbuds":   true,  // English, as indexed after stemming (earbud)
		"earbud":    true,  // the stem itself
		"longjing":  true,  // pinyin of 龙井
		"xhlj":      true,  // initials of 西湖龙井
		"earbds":    false, // a typo
		"xyzzy":     false,
		"sunscren":  false,
		"wireless":  true,
		"wirelesss": false,
	} {
		if got := e.known(w, e.terms.en(w)); got != want {
			t.Errorf("known(%q) = %v, want %v", w, got, want)
		}
	}
}
