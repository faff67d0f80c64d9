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
	// rank orders the displays: shorter first, then alphabetically.
	rank int32
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
		es = append(es, entry{key: key, display: display, start: start})
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
	// Rank the displays once, so that a completion compares two integers.
	displays := make([]string, 0, len(es))
	for d := range seenDisplays(es) {
		displays = append(displays, d)
	}
	sort.Slice(displays, func(a, b int) bool {
		la, lb := utf8.RuneCountInString(displays[a]), utf8.RuneCountInString(displays[b])
		if la != lb {
			return la < lb
		}
		return displays[a] < displays[b]
	})
	rank := make(map[string]int32, len(displays))
	for i, d := range displays {
		rank[d] = int32(i)
	}
	for i := range es {
		es[i].rank = rank[es[i].display]
	}
	return &suggester{entries: es}
}

func seenDisplays(es []entry) map[string]bool {
	out := map[string]bool{}
	for _, e := range es {
		out[e.display] = true
	}
	return out
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
	// The best n displays by (starts with q, shorter, alphabetical): a
	// display's order is its rank, behind every starting one when it
	// only contains a word starting with q. Kept sorted, n is small.
	type cand struct {
		order   int64
		display string
	}
	best := make([]cand, 0, n+1)
	for k := i; k < len(es) && k-i < scanLimit && strings.HasPrefix(es[k].key, q); k++ {
		order := int64(es[k].rank)
		if !es[k].start {
			order += 1 << 32
		}
		if len(best) == n && order >= best[n-1].order {
			continue
		}
		at := -1
		for j := range best {
			if best[j].display == es[k].display {
				at = j
				break
			}
		}
		if at >= 0 {
			if order >= best[at].order {
				continue
			}
			best = append(best[:at], best[at+1:]...)
		}
		j := sort.Search(len(best), func(j int) bool { return best[j].order > order })
		best = append(best, cand{})
		copy(best[j+1:], best[j:])
		best[j] = cand{order, es[k].display}
		if len(best) > n {
			best = best[:n]
		}
	}
	out := make([]string, 0, len(best))
	for _, c := range best {
		out = append(out, c.display)
	}
	return out
}
