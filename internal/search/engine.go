package search

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Engine answers queries over one opened snapshot. It is safe for
// concurrent use.
type Engine struct {
	idx     bleve.Index
	list    []Doc            // in ID order
	byID    map[string]int32 // position in list
	cols    *columns
	suggest *suggester
	terms   *termDicts
	closed  atomic.Bool
}

// Open opens the snapshot in dir read-only.
func Open(dir string) (*Engine, error) {
	docs, err := readDocs(dir)
	if err != nil {
		return nil, err
	}
	idx, err := bleve.OpenUsing(filepath.Join(dir, indexDir), map[string]any{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("search: open index: %w", err)
	}
	if !slices.IsSortedFunc(docs, func(a, b Doc) int { return strings.Compare(a.ID, b.ID) }) {
		slices.SortFunc(docs, func(a, b Doc) int { return strings.Compare(a.ID, b.ID) })
	}
	e := &Engine{idx: idx, list: docs, byID: make(map[string]int32, len(docs))}
	for i := range docs {
		e.byID[docs[i].ID] = int32(i)
	}
	if e.cols, err = newColumns(idx, docs, e.byID); err != nil {
		idx.Close()
		return nil, fmt.Errorf("search: open columns: %w", err)
	}
	if e.terms, err = openTermDicts(idx); err != nil {
		idx.Close()
		return nil, fmt.Errorf("search: open dictionaries: %w", err)
	}
	// The suggester the build stored; a snapshot from before it stored
	// one gets it built here.
	e.suggest, err = readSuggester(filepath.Join(dir, suggestFile))
	if errors.Is(err, fs.ErrNotExist) {
		e.suggest, err = newSuggester(docs), nil
	}
	if err != nil {
		e.terms.close()
		idx.Close()
		return nil, fmt.Errorf("search: open suggester: %w", err)
	}
	return e, nil
}

// readDocs reads the snapshot's product summaries: gob, or the JSON of
// snapshots built before.
func readDocs(dir string) ([]Doc, error) {
	var docs []Doc
	b, err := os.ReadFile(filepath.Join(dir, docsFile))
	if errors.Is(err, fs.ErrNotExist) {
		if b, err = os.ReadFile(filepath.Join(dir, docsJSON)); err == nil {
			if err := json.Unmarshal(b, &docs); err != nil {
				return nil, fmt.Errorf("search: open docs: %w", err)
			}
			return docs, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("search: open: %w", err)
	}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&docs); err != nil {
		return nil, fmt.Errorf("search: open docs: %w", err)
	}
	return docs, nil
}

// Close releases the snapshot; queries after it fail with ErrClosed.
func (e *Engine) Close() error {
	if e.closed.Swap(true) {
		return nil
	}
	return errors.Join(e.terms.close(), e.idx.Close())
}

// Len is how many products the snapshot holds.
func (e *Engine) Len() int { return len(e.list) }

// Doc returns the indexed summary of a product, or false.
func (e *Engine) Doc(id string) (*Doc, bool) {
	i, ok := e.byID[id]
	if !ok {
		return nil, false
	}
	return &e.list[i], true
}

// Sort orders results.
type Sort string

// Sort orders. Bestselling ranks by paid orders as of the snapshot (see
// Doc.Sales), newest first among equals.
const (
	Relevance   Sort = "relevance"
	PriceAsc    Sort = "price_asc"
	PriceDesc   Sort = "price_desc"
	Newest      Sort = "newest"
	Bestselling Sort = "bestselling"
)

// ParseSort returns the named sort order; empty means relevance.
func ParseSort(s string) (Sort, bool) {
	switch Sort(s) {
	case "":
		return Relevance, true
	case Relevance, PriceAsc, PriceDesc, Newest, Bestselling:
		return Sort(s), true
	}
	return "", false
}

// Request is a listing query. Zero values mean "no filter".
type Request struct {
	Query    string
	Category string
	Brands   []string
	PriceMin int64 // minor units; 0 = none
	PriceMax int64 // minor units; 0 = none
	InStock  bool
	Store    string // pickup store: only products with stock there
	Sort     Sort
	Limit    int
	Cursor   string
}

// Hit is one product on a result page.
type Hit struct {
	Doc       *Doc
	Score     float64
	Highlight struct{ ZH, EN string }
}

// Bucket is a facet value with its count.
type Bucket struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// PriceBucket is a price range (minor units, Max exclusive, 0 = open) with
// its count.
type PriceBucket struct {
	Min   int64  `json:"min"`
	Max   *int64 `json:"max"`
	Count int    `json:"count"`
}

// Facets counts the matching products by category, brand and price.
type Facets struct {
	Category []Bucket      `json:"category"`
	Brand    []Bucket      `json:"brand"`
	Price    []PriceBucket `json:"price"`
}

// Result is a page of products.
type Result struct {
	Hits       []Hit
	Total      uint64
	Facets     Facets
	NextCursor string
}

// priceEdges are the price facet's bucket edges in minor units.
var priceEdges = []int64{0, 5000, 10000, 20000, 50000, 100000}

// The most values the category and brand facets list.
const (
	categoryFacetSize = 20
	brandFacetSize    = 50
)

// AddBleveFacets adds to req the Bleve facet requests that count what
// Result.Facets counts (category and brand terms, the price buckets): what
// Bleve's own facets would answer, for tests and baselines to compare with.
func AddBleveFacets(req *bleve.SearchRequest) {
	req.AddFacet("category", bleve.NewFacetRequest("category", categoryFacetSize))
	req.AddFacet("brand", bleve.NewFacetRequest("brand", brandFacetSize))
	price := bleve.NewFacetRequest("price", len(priceEdges))
	for i, e := range priceEdges {
		lo := float64(e)
		var hi *float64
		if i+1 < len(priceEdges) {
			h := float64(priceEdges[i+1])
			hi = &h
		}
		price.AddNumericRange(strconv.Itoa(i), &lo, hi)
	}
	req.AddFacet("price", price)
}

type cursor struct {
	Sort  Sort     `json:"s"`
	Query string   `json:"q"`
	After []string `json:"a"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || len(c.After) == 0 || len(c.After) > 3 {
		return cursor{}, ErrCursor
	}
	return c, nil
}

// Search runs a listing query. An empty Query lists the whole catalog.
// Returns ErrCursor if the cursor is malformed or belongs to another query
// or sort.
func (e *Engine) Search(ctx context.Context, r Request) (Result, error) {
	if e.closed.Load() {
		return Result{}, ErrClosed
	}
	q := normalize(r.Query)
	if r.Sort == "" {
		r.Sort = Relevance
	}
	if r.Limit <= 0 {
		r.Limit = 20
	}
	var after []string
	if r.Cursor != "" {
		c, err := decodeCursor(r.Cursor)
		if err != nil || c.Sort != r.Sort || c.Query != q {
			return Result{}, ErrCursor
		}
		after = c.After
	}
	o := r.Sort.order(q == "")
	var afterKey *key
	if after != nil {
		k, err := o.afterKey(e.list, after)
		if err != nil {
			return Result{}, err
		}
		afterKey = &k
	}
	col, err := e.collect(ctx, e.listQuery(q, r), o, afterKey, r.Limit+1)
	if err != nil {
		return Result{}, fmt.Errorf("search: %w", err)
	}
	out := Result{Total: col.total, Facets: col.facets()}
	hits := col.hits()
	if len(hits) > r.Limit {
		hits = hits[:r.Limit]
		last := hits[len(hits)-1]
		out.NextCursor = encodeCursor(cursor{Sort: r.Sort, Query: q, After: o.cursorValues(last.row, e.list, last.score)})
	}
	rs := runs(q)
	for _, h := range hits {
		d := &e.list[h.row.pos]
		hit := Hit{Doc: d, Score: h.score}
		hit.Highlight.ZH = highlight(d.Name.ZH, rs, true)
		hit.Highlight.EN = highlight(d.Name.EN, rs, false)
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

// listQuery is the Bleve query that decides which products match a
// listing request: the text (everything when q is empty) and the filters.
func (e *Engine) listQuery(q string, r Request) query.Query {
	textQ := e.textQuery(q)
	must := []query.Query{textQ}
	if r.Category != "" {
		must = append(must, term("category", r.Category))
	}
	if len(r.Brands) > 0 {
		var any []query.Query
		for _, b := range r.Brands {
			any = append(any, term("brand", b))
		}
		must = append(must, bleve.NewDisjunctionQuery(any...))
	}
	if r.PriceMin > 0 || r.PriceMax > 0 {
		// The product overlaps the range: some SKU may cost within it.
		if r.PriceMax > 0 {
			hi, incl := float64(r.PriceMax), true
			nr := bleve.NewNumericRangeInclusiveQuery(nil, &hi, nil, &incl)
			nr.SetField("price")
			must = append(must, nr)
		}
		if r.PriceMin > 0 {
			lo, incl := float64(r.PriceMin), true
			nr := bleve.NewNumericRangeInclusiveQuery(&lo, nil, &incl, nil)
			nr.SetField("pricemax")
			must = append(must, nr)
		}
	}
	if r.InStock {
		must = append(must, term("instock", "true"))
	}
	if r.Store != "" {
		must = append(must, term("stores", r.Store))
	}
	if len(must) == 1 {
		return textQ
	}
	return bleve.NewConjunctionQuery(must...)
}

func term(field, value string) query.Query {
	t := bleve.NewTermQuery(value)
	t.SetField(field)
	return t
}

func match(field, text string, boost float64, and bool, fuzz int) query.Query {
	m := bleve.NewMatchQuery(text)
	m.SetField(field)
	m.SetBoost(boost)
	m.SetFuzziness(fuzz)
	if and {
		m.SetOperator(query.MatchQueryOperatorAnd)
	}
	return m
}

// textQuery builds the relevance query from plain text, never through a
// query-string parser. Each Chinese run must match the Chinese name,
// category or description: all its characters and adjacent pairs (strict,
// boosted), or for runs of four or more characters at least a third of its
// pairs (relaxed, so 西湖龙井 also finds other 龙井). Latin words must all
// match the English name, category or description (stemmed,
// typo-tolerant) or the pinyin of the Chinese name, except beside Chinese
// text, where the Chinese names the product and Latin words (brand, model)
// only rank. Names weigh more than descriptions, exact matches more than
// fuzzy ones, pinyin less than text. Adjacent Latin words also match their
// compound (smart watch → smartwatch).
func (e *Engine) textQuery(q string) query.Query {
	if q == "" {
		return bleve.NewMatchAllQuery()
	}
	var han, latin []query.Query
	var words []string
	for _, r := range runs(q) {
		if r.han {
			han = append(han, e.hanRun(r.text))
			continue
		}
		if stopwords[r.text] {
			continue
		}
		words = append(words, r.text)
		latin = append(latin, e.latinWord(r.text, true))
	}
	switch {
	case len(han) == 0 && len(latin) == 0:
		return bleve.NewMatchNoneQuery() // only punctuation or stopwords
	case len(han) > 0:
		b := bleve.NewBooleanQuery()
		b.AddMust(han...)
		b.AddShould(latin...)
		return b
	case len(latin) == 1:
		return latin[0]
	}
	return bleve.NewDisjunctionQuery(bleve.NewConjunctionQuery(latin...), e.latinWord(strings.Join(words, ""), false))
}

// stopwords are English words that carry no meaning in a product query
// (the English analyzer drops them, so they could never match).
var stopwords = map[string]bool{"the": true, "a": true, "an": true, "of": true, "to": true, "and": true, "for": true, "with": true, "in": true, "on": true}

func (e *Engine) hanRun(text string) query.Query {
	toks := e.terms.zh(text)
	alts := []query.Query{
		e.terms.match("name_zh", toks, 3, true),
		e.terms.match("cat_zh", toks, 3, true),
		e.terms.match("desc_zh", toks, 1, true),
	}
	rs := []rune(text)
	if len(rs) >= 4 {
		// Each pair at half weight: a disjunction's own boost is
		// ignored by Bleve (v2.6), so it goes on the terms.
		var pairs []query.Query
		for i := 0; i+1 < len(rs); i++ {
			pairs = append(pairs, e.terms.term("name_zh", string(rs[i:i+2]), 0.5))
		}
		d := bleve.NewDisjunctionQuery(pairs...)
		d.SetMin(float64((len(pairs) + 2) / 3))
		alts = append(alts, d)
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// latinWord matches a Latin word in the English text (stemmed), as
// pinyin or as pinyin initials; with typos, a word the catalog does not
// hold in any of them also matches the English text within its
// fuzziness. Compounds (words joined) are matched without typos: a
// catalog term they miss is no typo of theirs, and the automata of long
// words are the costliest.
func (e *Engine) latinWord(w string, typos bool) query.Query {
	toks := e.terms.en(w)
	alts := []query.Query{
		e.terms.match("name_en", toks, 3, false),
		e.terms.match("cat_en", toks, 3, false),
		e.terms.match("desc_en", toks, 1, false),
	}
	if f := fuzziness(w); typos && f > 0 && !e.known(w, toks) {
		fz, ok := []query.Query(nil), false
		if len(toks) == 1 {
			fz, ok = e.terms.fuzzy(toks[0], f, []string{"name_en", "desc_en"}, []float64{1.5, 0.5})
		}
		if !ok {
			fz = []query.Query{match("name_en", w, 1.5, false, f), match("desc_en", w, 0.5, false, f)}
		}
		alts = append(alts, fz...)
	}
	if isASCIILetters(w) {
		alts = append(alts, e.terms.term("pinyin", w, 2))
		if len(w) >= 2 {
			alts = append(alts, e.terms.term("initials", w, 0.5))
		}
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// known reports whether the catalog holds w: as a term of its English
// text once analyzed as that text is (toks, stemmed), or as pinyin or
// initials. Typo tolerance is for words it does not hold: a word it holds
// is meant as typed, and building the Levenshtein automata of a fuzzy
// match took three quarters of a query's time.
func (e *Engine) known(w string, toks []string) bool {
	if e.terms.has("pinyin", w) || e.terms.has("initials", w) {
		return true
	}
	if len(toks) != 1 {
		return false
	}
	t := toks[0]
	return e.terms.has("name_en", t) || e.terms.has("desc_en", t) || e.terms.has("cat_en", t)
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return s != ""
}

// highlight wraps the parts of name that the query's runs match in <em>.
func highlight(name string, rs []run, zh bool) string {
	lower := strings.ToLower(name)
	if zh {
		lower = normalize(name)
		if len(lower) != len(name) {
			lower = strings.ToLower(name)
		}
	}
	marks := make([]bool, len(name))
	any := false
	for _, r := range rs {
		if r.han != zh && zh {
			continue
		}
		needle := r.text
		if !zh && len(needle) > 4 {
			needle = needle[:len(needle)-1] // earbuds highlights earbud
		}
		for from := 0; needle != ""; {
			i := strings.Index(lower[from:], needle)
			if i < 0 {
				break
			}
			for k := from + i; k < from+i+len(needle); k++ {
				marks[k] = true
			}
			any = true
			from += i + len(needle)
		}
	}
	if !any {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if marks[i] && (i == 0 || !marks[i-1]) {
			b.WriteString("<em>")
		}
		b.WriteByte(name[i])
		if marks[i] && (i+1 == len(name) || !marks[i+1]) {
			b.WriteString("</em>")
		}
	}
	return b.String()
}

// Similar returns up to n products like the given one, by shared name
// words (Chinese and English), category and brand; the product itself is
// excluded. Returns ErrNotFound if the product is not in the index.
func (e *Engine) Similar(ctx context.Context, id string, n int) ([]Hit, error) {
	d, ok := e.Doc(id)
	if !ok {
		return nil, ErrNotFound
	}
	like := bleve.NewDisjunctionQuery(
		match("name_zh", normalize(d.Name.ZH), 2, false, 0),
		match("name_en", d.Name.EN, 2, false, 0),
		term("category", d.Category),
		withBoost(term("brand", d.Brand), 0.5),
	)
	b := bleve.NewBooleanQuery()
	b.AddMust(like)
	b.AddMustNot(bleve.NewDocIDQuery([]string{id}))
	req := bleve.NewSearchRequestOptions(b, n, 0, false)
	req.SortBy([]string{"-_score", "_id"})
	res, err := e.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: similar: %w", err)
	}
	var out []Hit
	for _, h := range res.Hits {
		if d, ok := e.Doc(h.ID); ok {
			out = append(out, Hit{Doc: d, Score: h.Score})
		}
	}
	return out, nil
}

func withBoost(q query.Query, b float64) query.Query {
	q.(*query.TermQuery).SetBoost(b)
	return q
}
