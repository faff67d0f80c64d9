// Package hans folds Chinese text to Simplified script so that a query in
// Traditional characters (龍井) finds a product named in Simplified (龙井)
// and back: the index and the query are both folded. The character table is
// generated from OpenCC's data by gen_table.py.
package hans

import "strings"

var fold = func() map[rune]rune {
	m := make(map[rune]rune, 4096)
	rs := []rune(tradToSimp)
	for i := 0; i+1 < len(rs); i += 2 {
		m[rs[i]] = rs[i+1]
	}
	return m
}()

// Simplify returns s with every Traditional character replaced by its
// Simplified form; other characters are unchanged.
func Simplify(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x3400 {
			return r
		}
		if s, ok := fold[r]; ok {
			return s
		}
		return r
	}, s)
}
