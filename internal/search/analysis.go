package search

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"

	"github.com/jiaoyi-dev/jiaoyi/internal/search/hans"
)

// MaxQueryRunes is the longest query accepted, in characters.
const MaxQueryRunes = 200

// normalize folds a query or a field to the indexed form: Simplified
// script, lower case, single spaces.
func normalize(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(hans.Simplify(s))), " ")
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// run is a stretch of a query in one script: Chinese characters or a
// Latin/digit word.
type run struct {
	text string
	han  bool
}

// runs splits a normalized query into Chinese runs and Latin words; every
// other character (punctuation, query syntax such as + - : * ?) is a
// separator, so the query is always plain text.
func runs(q string) []run {
	var out []run
	var b strings.Builder
	han := false
	flush := func() {
		if b.Len() > 0 {
			out = append(out, run{b.String(), han})
			b.Reset()
		}
	}
	for _, r := range q {
		switch {
		case isHan(r):
			if !han {
				flush()
			}
			han = true
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if han {
				flush()
			}
			han = false
			b.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return out
}

var pinyinArgs = pinyin.NewArgs()

// pinyinTokens returns the full pinyin of zh as every run of one to four
// consecutive syllables joined without spaces (西湖龙井 → xi, xihu,
// xihulong, xihulongjing, hu, …), so a full-pinyin query for a word inside
// the name matches a single token; plus the initials of runs of two to four
// syllables (xhlj, lj).
func pinyinTokens(zh string) (full, initials []string) {
	syl := pinyinSyllables(zh)
	seen := map[string]bool{}
	for i := range syl {
		var f, in strings.Builder
		for j := i; j < len(syl) && j < i+4; j++ {
			f.WriteString(syl[j])
			in.WriteByte(syl[j][0])
			if k := f.String(); !seen[k] {
				seen[k] = true
				full = append(full, k)
			}
			if j > i {
				if k := in.String(); !seen["^"+k] {
					seen["^"+k] = true
					initials = append(initials, k)
				}
			}
		}
	}
	return full, initials
}

// fuzziness is the edit distance allowed for a Latin word: none below five
// letters, one from five, two from nine. Chinese is never fuzzy (Bleve
// counts bytes, so two Chinese characters would match almost anything).
func fuzziness(word string) int {
	n := len([]rune(word))
	switch {
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

// pinyinSyllables is the toneless pinyin of zh's Chinese characters.
func pinyinSyllables(zh string) []string { return pinyin.LazyPinyin(zh, pinyinArgs) }
