package search

import "testing"

// Typo tolerance is for words the catalog does not hold: known must tell
// them from words it holds as English text (stemmed), pinyin or initials.
func TestKnownWords(t *testing.T) {
	e := demoIndex(t)
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
