package search

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxSuggestions is the most completions Suggest returns.
const MaxSuggestions = 10

type entry struct {
	key     string // normalized text a prefix is matched against
	display string // what is shown
	start   bool   // the key starts the display (ranks first)
}

// suggester completes prefixes of product names, brands and categories: a
// sorted slice of keys searched by binary search. Keys are every word
// start of the English name, every character start of the Chinese name
// and every syllable start of the Chinese name's full pinyin.
type suggester struct{ entries []entry }

func newSuggester(docs []Doc) *suggester {
	var es []entry
	seen := map[string]bool{}
	add := func(key, display string, start bool) {
		k := key + "\x00" + display
		if key == "" || seen[k] {
			return
		}
		seen[k] = true
		es = append(es, entry{key, display, start})
	}
	for _, d := range docs {
		zh := normalize(d.Name.ZH)
		for i := range zh {
			if utf8.RuneCountInString(zh[i:]) >= 2 || i == 0 {
				add(zh[i:], d.Name.ZH, i == 0)
			}
		}
		enName := strings.ToLower(d.Name.EN)
		words := strings.Fields(enName)
		for i := range words {
			add(strings.Join(words[i:], " "), d.Name.EN, i == 0)
		}
		syl := pinyinSyllables(zh)
		for i := range syl {
			add(strings.Join(syl[i:], ""), d.Name.ZH, i == 0)
		}
		add(strings.ToLower(d.Brand), d.Brand, true)
	}
	sort.Slice(es, func(i, j int) bool { return es[i].key < es[j].key })
	return &suggester{entries: es}
}

// scanLimit bounds the work of one Suggest call.
const scanLimit = 4000

// Suggest returns up to n completions of the prefix q: names that start
// with it first, then names containing a word that starts with it,
// shorter first.
func (e *Engine) Suggest(q string, n int) []string {
	if n <= 0 || n > MaxSuggestions {
		n = MaxSuggestions
	}
	q = normalize(q)
	if q == "" {
		return []string{}
	}
	es := e.suggest.entries
	i := sort.Search(len(es), func(i int) bool { return es[i].key >= q })
	type cand struct {
		display string
		start   bool
	}
	best := map[string]bool{}
	var cands []cand
	for k := i; k < len(es) && k-i < scanLimit && strings.HasPrefix(es[k].key, q); k++ {
		d := es[k].display
		if s, ok := best[d]; ok {
			if es[k].start && !s {
				best[d] = true
			}
			continue
		}
		best[d] = es[k].start
		cands = append(cands, cand{d, false})
	}
	for j := range cands {
		cands[j].start = best[cands[j].display]
	}
	sort.SliceStable(cands, func(a, b int) bool {
		if cands[a].start != cands[b].start {
			return cands[a].start
		}
		la, lb := utf8.RuneCountInString(cands[a].display), utf8.RuneCountInString(cands[b].display)
		if la != lb {
			return la < lb
		}
		return cands[a].display < cands[b].display
	})
	out := make([]string, 0, n)
	for _, c := range cands {
		if len(out) == n {
			break
		}
		out = append(out, c.display)
	}
	return out
}
