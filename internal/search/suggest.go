package search

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxSuggestions is the most completions Suggest returns.
const MaxSuggestions = 10

// suggester completes prefixes of product names and brands: sorted keys
// searched by binary search. Keys are every word start of the English
// name, every character start of the Chinese name and every syllable
// start of the Chinese name's full pinyin, each pointing at the display
// it completes to. Every key is a suffix of one of a display's texts (its
// normalized Chinese name, lowercased English words, pinyin, brand), so a
// key is kept as (text, byte offset): a suffix array over the texts. It is
// built with the index and stored in the snapshot (suggestFile), because
// building it for 100,000 products takes seconds and opening a snapshot
// must not.
type suggester struct {
	texts []string // the texts keys are suffixes of
	tdisp []uint32 // text t completes to displays[tdisp[t]]
	ref   []uint32 // key i is texts[ref[i]][at[i]:]
	at    []uint16
	// displays are ranked: shorter first, then alphabetically, so a
	// display's index is its order.
	displays []string
}

func (s *suggester) len() int { return len(s.ref) }

func (s *suggester) key(i int) string { return s.texts[s.ref[i]][s.at[i]:] }

func (s *suggester) disp(i int) uint32 { return s.tdisp[s.ref[i]] }

// start reports whether key i starts its text (ranks first).
func (s *suggester) start(i int) bool { return s.at[i] == 0 }

func newSuggester(docs []Doc) *suggester {
	ids := map[string]uint32{}
	var displays []string
	s := &suggester{}
	type key struct {
		ref uint32
		at  uint16
	}
	var keys []key
	addText := func(text, display string, offsets []int) {
		if text == "" || len(text) > 65535 {
			return
		}
		id, ok := ids[display]
		if !ok {
			id = uint32(len(displays))
			ids[display] = id
			displays = append(displays, display)
		}
		t := uint32(len(s.texts))
		s.texts = append(s.texts, text)
		s.tdisp = append(s.tdisp, id)
		for _, o := range offsets {
			keys = append(keys, key{t, uint16(o)})
		}
	}
	for _, d := range docs {
		zh := normalize(d.Name.ZH)
		var at []int
		for i := range zh {
			if i == 0 || utf8.RuneCountInString(zh[i:]) >= 2 {
				at = append(at, i)
			}
		}
		addText(zh, d.Name.ZH, at)
		words := strings.Fields(strings.ToLower(d.Name.EN))
		at, pos := nil, 0
		for _, w := range words {
			at = append(at, pos)
			pos += len(w) + 1
		}
		addText(strings.Join(words, " "), d.Name.EN, at)
		syl := pinyinSyllables(zh)
		at, pos = nil, 0
		for _, y := range syl {
			at = append(at, pos)
			pos += len(y)
		}
		addText(strings.Join(syl, ""), d.Name.ZH, at)
		addText(strings.ToLower(d.Brand), d.Brand, []int{0})
	}
	// Rank the displays: the order completions are shown in.
	order := make([]uint32, len(displays))
	for i := range order {
		order[i] = uint32(i)
	}
	runes := make([]int, len(displays))
	for i, d := range displays {
		runes[i] = utf8.RuneCountInString(d)
	}
	slices.SortFunc(order, func(a, b uint32) int {
		return cmp.Or(cmp.Compare(runes[a], runes[b]), strings.Compare(displays[a], displays[b]))
	})
	rank := make([]uint32, len(displays))
	s.displays = make([]string, len(displays))
	for r, id := range order {
		rank[id] = uint32(r)
		s.displays[r] = displays[id]
	}
	for t := range s.tdisp {
		s.tdisp[t] = rank[s.tdisp[t]]
	}
	// Keys in order; a key listed twice for one display once (the one
	// that starts its text wins).
	text := func(k key) string { return s.texts[k.ref][k.at:] }
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(strings.Compare(text(a), text(b)), cmp.Compare(s.tdisp[a.ref], s.tdisp[b.ref]), cmp.Compare(a.at, b.at))
	})
	for i, k := range keys {
		if i > 0 && s.tdisp[k.ref] == s.tdisp[keys[i-1].ref] && text(k) == text(keys[i-1]) {
			continue
		}
		s.ref = append(s.ref, k.ref)
		s.at = append(s.at, k.at)
	}
	return s
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
	s := e.suggest
	i := sort.Search(s.len(), func(i int) bool { return s.key(i) >= q })
	// The best n displays by (starts with q, rank): a display that only
	// contains a word starting with q ranks behind every starting one.
	// Kept sorted; n is small.
	type cand struct {
		order int64
		disp  uint32
	}
	best := make([]cand, 0, n+1)
	for k := i; k < s.len() && k-i < scanLimit && strings.HasPrefix(s.key(k), q); k++ {
		d := s.disp(k)
		order := int64(d)
		if !s.start(k) {
			order += 1 << 32
		}
		if len(best) == n && order >= best[n-1].order {
			continue
		}
		if at := slices.IndexFunc(best, func(c cand) bool { return c.disp == d }); at >= 0 {
			if order >= best[at].order {
				continue
			}
			best = slices.Delete(best, at, at+1)
		}
		j := sort.Search(len(best), func(j int) bool { return best[j].order > order })
		best = slices.Insert(best, j, cand{order, d})
		if len(best) > n {
			best = best[:n]
		}
	}
	out := make([]string, 0, len(best))
	for _, c := range best {
		out = append(out, s.displays[c.disp])
	}
	return out
}

// suggestFile holds the suggester in a snapshot: "JYSUGG2\n", then
// little-endian: the display count and each display (length, bytes), the
// text count and each text (length, bytes, display), then the key count,
// each key's text and each key's offset.
const (
	suggestFile  = "suggest.bin"
	suggestMagic = "JYSUGG2\n"
)

func (s *suggester) write(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("search: write suggester: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	le := binary.LittleEndian
	var buf []byte
	buf = append(buf, suggestMagic...)
	buf = le.AppendUint32(buf, uint32(len(s.displays)))
	for _, d := range s.displays {
		buf = append(le.AppendUint32(buf, uint32(len(d))), d...)
	}
	buf = le.AppendUint32(buf, uint32(len(s.texts)))
	for t, x := range s.texts {
		buf = le.AppendUint32(append(le.AppendUint32(buf, uint32(len(x))), x...), s.tdisp[t])
	}
	buf = le.AppendUint32(buf, uint32(len(s.ref)))
	for _, r := range s.ref {
		buf = le.AppendUint32(buf, r)
	}
	for _, a := range s.at {
		buf = le.AppendUint16(buf, a)
	}
	_, err = w.Write(buf)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("search: write suggester: %w", err)
	}
	return nil
}

var errBadSuggester = errors.New("search: suggester file is damaged")

// readSuggester reads a suggester file, checking every count and index
// against the file's length.
func readSuggester(path string) (*suggester, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(b, []byte(suggestMagic)) {
		return nil, errBadSuggester
	}
	b = b[len(suggestMagic):]
	bad := false
	u32 := func() uint32 {
		if len(b) < 4 {
			bad = true
			return 0
		}
		v := binary.LittleEndian.Uint32(b)
		b = b[4:]
		return v
	}
	str := func() string {
		n := u32()
		if bad || uint64(n) > uint64(len(b)) {
			bad = true
			return ""
		}
		v := string(b[:n])
		b = b[n:]
		return v
	}
	s := &suggester{}
	nd := u32()
	if uint64(nd)*4 > uint64(len(b)) {
		return nil, errBadSuggester
	}
	s.displays = make([]string, 0, nd)
	for range nd {
		s.displays = append(s.displays, str())
	}
	nt := u32()
	if bad || uint64(nt)*8 > uint64(len(b)) {
		return nil, errBadSuggester
	}
	s.texts, s.tdisp = make([]string, 0, nt), make([]uint32, 0, nt)
	for range nt {
		s.texts = append(s.texts, str())
		d := u32()
		if d >= nd {
			bad = true
		}
		s.tdisp = append(s.tdisp, d)
	}
	nk := u32()
	if bad || uint64(nk)*6 != uint64(len(b)) {
		return nil, errBadSuggester
	}
	s.ref, s.at = make([]uint32, nk), make([]uint16, nk)
	for i := range s.ref {
		s.ref[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	b = b[4*nk:]
	for i := range s.at {
		s.at[i] = binary.LittleEndian.Uint16(b[2*i:])
		if s.ref[i] >= nt || int(s.at[i]) >= len(s.texts[s.ref[i]]) {
			return nil, errBadSuggester
		}
	}
	return s, nil
}
