package search

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// termDicts builds text queries from terms analyzed once per query, over
// the dictionaries of the opened snapshot. A match query analyzes its text
// again for every field it is asked of, wraps even one term in a
// disjunction, and opens a postings reader for terms the field does not
// hold; here a term the field lacks becomes a match-none clause instead,
// which Bleve's disjunctions still count (their coordination factor is
// matched clauses over all). The matches and their order are what the
// match queries give; each score is theirs times one factor per query
// (Bleve's query norm no longer counts the weight of a term nothing
// holds).
type termDicts struct {
	reader   index.IndexReader
	dicts    map[string]index.FieldDictContains
	zhA, enA analysis.Analyzer
	// The reader as fuzzy needs it: nil if it is not scorch's.
	fuzzyReader index.IndexReaderFuzzy
	snap        *scorch.IndexSnapshot
}

// textFields are the analyzed fields text queries look terms up in.
var textFields = []string{"name_zh", "cat_zh", "desc_zh", "name_en", "cat_en", "desc_en", "pinyin", "initials"}

// openTermDicts opens the dictionaries of the text fields of a read-only
// index, whose snapshot they then hold until close.
func openTermDicts(idx bleve.Index) (*termDicts, error) {
	m := idx.Mapping()
	t := &termDicts{zhA: m.AnalyzerNamed(zhAnalyze), enA: m.AnalyzerNamed(en.AnalyzerName), dicts: map[string]index.FieldDictContains{}}
	if t.zhA == nil || t.enA == nil {
		return nil, errors.New("analyzers missing from the mapping")
	}
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	if t.reader, err = adv.Reader(); err != nil {
		return nil, err
	}
	rc, ok := t.reader.(index.IndexReaderContains)
	if !ok {
		t.reader.Close()
		return nil, fmt.Errorf("index reader %T cannot look terms up", t.reader)
	}
	for _, f := range textFields {
		if t.dicts[f], err = rc.FieldDictContains(f); err != nil {
			t.reader.Close()
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	if fr, ok := t.reader.(index.IndexReaderFuzzy); ok {
		if snap, ok := t.reader.(*scorch.IndexSnapshot); ok {
			t.fuzzyReader, t.snap = fr, snap
		}
	}
	return t, nil
}

func (t *termDicts) close() error { return t.reader.Close() }

// has reports whether field holds term.
func (t *termDicts) has(field, term string) bool {
	d := t.dicts[field]
	if d == nil {
		return false
	}
	ok, err := d.Contains([]byte(term))
	return err == nil && ok
}

// zh and en analyze text as the Chinese and English fields are.
func (t *termDicts) zh(text string) []string { return analyze(t.zhA, text) }
func (t *termDicts) en(text string) []string { return analyze(t.enA, text) }

func analyze(a analysis.Analyzer, text string) []string {
	ts := a.Analyze([]byte(text))
	out := make([]string, len(ts))
	for i, tok := range ts {
		out[i] = string(tok.Term)
	}
	return out
}

// term matches term in field with boost, or nothing if field lacks it.
func (t *termDicts) term(field, term string, boost float64) query.Query {
	if !t.has(field, term) {
		return bleve.NewMatchNoneQuery()
	}
	q := bleve.NewTermQuery(term)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

// match is what a match query of the text that analyzed to toks finds in
// field, scored the same: all terms (and) or any.
func (t *termDicts) match(field string, toks []string, boost float64, and bool) query.Query {
	switch len(toks) {
	case 0:
		return bleve.NewMatchNoneQuery()
	case 1:
		return t.term(field, toks[0], boost)
	}
	qs := make([]query.Query, len(toks))
	for i, tok := range toks {
		qs[i] = t.term(field, tok, boost)
		if _, none := qs[i].(*query.MatchNoneQuery); none && and {
			return qs[i]
		}
	}
	if and {
		return bleve.NewConjunctionQuery(qs...)
	}
	d := bleve.NewDisjunctionQuery(qs...)
	d.SetMin(1)
	return d
}

// fuzzy is what match queries of tok with fuzziness f find in each of
// fields (with its boost), scored the same up to the query norm, from one
// Levenshtein automaton: Bleve builds one per field, and building it was
// most of a misspelt query's time (two edits: 0.2 ms each). It reports
// false when the index is not one it can read so (the caller then falls
// back to match queries).
func (t *termDicts) fuzzy(tok string, f int, fields []string, boosts []float64) ([]query.Query, bool) {
	if t.snap == nil || len(fields) == 0 {
		return nil, false
	}
	fd, fa, err := t.fuzzyReader.FieldDictFuzzyAutomaton(fields[0], tok, f, "")
	if err != nil {
		return nil, false
	}
	first, err := candidates(fd)
	fd.Close()
	a, ok := fa.(segment.Automaton)
	if err != nil || !ok {
		return nil, false
	}
	out := []query.Query{fuzzyQuery(fields[0], tok, boosts[0], first)}
	for i, field := range fields[1:] {
		var found []index.DictEntry
		for _, s := range t.snap.Segments() {
			d, err := s.Segment().Dictionary(field)
			if err != nil {
				return nil, false
			}
			more, err := candidates(d.AutomatonIterator(a, nil, nil))
			if err != nil {
				return nil, false
			}
			found = append(found, more...)
		}
		if len(t.snap.Segments()) > 1 {
			// Bleve merges the segments' terms in order, once each.
			slices.SortFunc(found, func(x, y index.DictEntry) int { return strings.Compare(x.Term, y.Term) })
			found = slices.CompactFunc(found, func(x, y index.DictEntry) bool { return x.Term == y.Term })
		}
		out = append(out, fuzzyQuery(field, tok, boosts[i+1], found))
	}
	return out, true
}

// dictIterator is what candidates reads: a field dictionary or one
// segment's.
type dictIterator interface {
	Next() (*index.DictEntry, error)
}

func candidates(it dictIterator) ([]index.DictEntry, error) {
	var out []index.DictEntry
	for {
		e, err := it.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return out, nil
		}
		out = append(out, index.DictEntry{Term: e.Term, EditDistance: e.EditDistance})
	}
}

// fuzzyQuery is Bleve's fuzzy searcher as a query: the candidate terms,
// each boosted by 1/(edits+1), any of which may match; just the term when
// it is the only candidate, and nothing without candidates.
func fuzzyQuery(field, tok string, boost float64, found []index.DictEntry) query.Query {
	switch {
	case len(found) == 0:
		return bleve.NewMatchNoneQuery()
	case len(found) == 1 && found[0].Term == tok:
		q := bleve.NewTermQuery(tok)
		q.SetField(field)
		q.SetBoost(boost)
		return q
	}
	qs := make([]query.Query, len(found))
	for i, e := range found {
		q := bleve.NewTermQuery(e.Term)
		q.SetField(field)
		q.SetBoost(boost / float64(e.EditDistance+1))
		qs[i] = q
	}
	return bleve.NewDisjunctionQuery(qs...)
}
