package search

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// columns hold what a listing needs of each product, by Bleve's doc
// number, so that Bleve only finds the matches: facets, sorting and
// cursors are counted and compared here. Asking Bleve for them visits
// every match's doc values (and loads its ID to break ties), which took
// most of a query's time. Bleve yields matches in doc number order, so
// reading rows by it walks memory forward.
type columns struct {
	rows         []row
	cats, brands []string // distinct values, sorted
}

// row is one product's values.
type row struct {
	pos        int32 // position in Engine.list (ID order); -1 if not a product
	cat, brand int32 // value numbers into cats, brands
	price      int32 // price facet bucket; len(priceEdges) if none
	// The sort fields as the index holds them.
	priceMin, priceMax, created, sales float64
}

// newColumns reads the doc numbers of an opened index; list is the
// snapshot's docs and byID their positions. The index must be opened read-only: its
// doc numbers then stay what they were at open (nothing merges segments).
func newColumns(idx bleve.Index, list []Doc, byID map[string]int32) (*columns, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	ids, err := r.DocIDReaderAll()
	if err != nil {
		return nil, err
	}
	defer ids.Close()
	c := &columns{rows: make([]row, 0, len(list))}
	cats, cat := valueNumbers(list, func(d *Doc) string { return d.Category })
	brands, brand := valueNumbers(list, func(d *Doc) string { return d.Brand })
	c.cats, c.brands = cats, brands
	for {
		iid, err := ids.Next()
		if err != nil {
			return nil, err
		}
		if iid == nil {
			break
		}
		ext, err := r.ExternalID(iid)
		if err != nil {
			return nil, err
		}
		num := iid.Value()
		if num >= math.MaxInt32 {
			return nil, fmt.Errorf("doc number %d out of range", num)
		}
		for uint64(len(c.rows)) <= num {
			c.rows = append(c.rows, row{pos: -1})
		}
		i, ok := byID[ext]
		if !ok {
			continue
		}
		d := &list[i]
		c.rows[num] = row{pos: i, cat: cat[d.Category], brand: brand[d.Brand], price: priceBucket(float64(d.PriceMin)),
			priceMin: float64(d.PriceMin), priceMax: float64(d.PriceMax), created: float64(d.Created.Unix()),
			sales: float64(d.Sales)}
	}
	return c, nil
}

// valueNumbers numbers the distinct values of a field in value order.
func valueNumbers(list []Doc, field func(*Doc) string) ([]string, map[string]int32) {
	num := map[string]int32{}
	for i := range list {
		num[field(&list[i])] = 0
	}
	values := make([]string, 0, len(num))
	for v := range num {
		values = append(values, v)
	}
	slices.Sort(values)
	for i, v := range values {
		num[v] = int32(i)
	}
	return values, num
}

// priceBucket is the price facet bucket of a price, or len(priceEdges).
func priceBucket(v float64) int32 {
	for i, lo := range priceEdges {
		if v >= float64(lo) && (i+1 == len(priceEdges) || v < float64(priceEdges[i+1])) {
			return int32(i)
		}
	}
	return int32(len(priceEdges))
}

// key orders hits: smaller first. a and b are the sort fields (negated
// when descending), pos breaks ties by ID (twice the position, so that a
// cursor's ID between two products sits between them).
type key struct {
	a, b float64
	pos  int64
}

func (k key) less(o key) bool {
	if k.a != o.a {
		return k.a < o.a
	}
	if k.b != o.b {
		return k.b < o.b
	}
	return k.pos < o.pos
}

// field is one sort field as Bleve names it in a cursor.
type field int

const (
	fieldScore field = iota
	fieldPrice
	fieldPriceMax
	fieldCreated
	fieldSales
	fieldID
)

// order is how a sort compares hits; fields are what its cursor holds
// (the same values Bleve's sort on Sort.fields gave).
type order struct {
	fields []field
	desc   []bool
}

func (s Sort) order(browse bool) order {
	switch s {
	case PriceAsc:
		return order{[]field{fieldPrice, fieldID}, []bool{false, false}}
	case PriceDesc:
		return order{[]field{fieldPriceMax, fieldID}, []bool{true, false}}
	case Newest:
		return order{[]field{fieldCreated, fieldID}, []bool{true, false}}
	case Bestselling:
		return order{[]field{fieldSales, fieldCreated, fieldID}, []bool{true, true, false}}
	}
	if browse {
		return order{[]field{fieldCreated, fieldID}, []bool{true, false}}
	}
	return order{[]field{fieldScore, fieldID}, []bool{true, false}}
}

// value is a hit's value of a sort field other than the ID.
func (r *row) value(f field, score float64) float64 {
	switch f {
	case fieldScore:
		return score
	case fieldPrice:
		return r.priceMin
	case fieldPriceMax:
		return r.priceMax
	case fieldCreated:
		return r.created
	case fieldSales:
		return r.sales
	}
	panic(fmt.Sprintf("search: no value of sort field %d", f))
}

func (o order) key(r *row, score float64) key {
	k := key{pos: 2 * int64(r.pos)}
	for i, f := range o.fields[:len(o.fields)-1] {
		v := r.value(f, score)
		if o.desc[i] {
			v = -v
		}
		if i == 0 {
			k.a = v
		} else {
			k.b = v
		}
	}
	return k
}

// cursorValues are the values a cursor after this hit holds: scores as
// decimal, numeric fields prefix-coded as Bleve sorts them, the ID.
func (o order) cursorValues(r *row, list []Doc, score float64) []string {
	out := make([]string, len(o.fields))
	for i, f := range o.fields {
		switch f {
		case fieldID:
			out[i] = list[r.pos].ID
		case fieldScore:
			out[i] = strconv.FormatFloat(score, 'g', -1, 64)
		default:
			out[i] = string(numeric.MustNewPrefixCodedInt64(numeric.Float64ToInt64(r.value(f, score)), 0))
		}
	}
	return out
}

// afterKey is the key of a cursor's values; hits after it have greater
// keys. Returns ErrCursor if they do not fit the order.
func (o order) afterKey(list []Doc, after []string) (key, error) {
	if len(after) != len(o.fields) {
		return key{}, ErrCursor
	}
	var k key
	for i, f := range o.fields {
		var v float64
		switch f {
		case fieldID:
			p, ok := slices.BinarySearchFunc(list, after[i], func(d Doc, id string) int { return cmp.Compare(d.ID, id) })
			k.pos = 2 * int64(p)
			if !ok {
				k.pos--
			}
			continue
		case fieldScore:
			s, err := strconv.ParseFloat(after[i], 64)
			if err != nil || math.IsNaN(s) {
				return key{}, ErrCursor
			}
			v = s
		default:
			pc := numeric.PrefixCoded(after[i])
			shift, err := pc.Shift()
			if err != nil || shift != 0 {
				return key{}, ErrCursor
			}
			n, err := pc.Int64()
			if err != nil {
				return key{}, ErrCursor
			}
			v = numeric.Int64ToFloat64(n)
		}
		if o.desc[i] {
			v = -v
		}
		if i == 0 {
			k.a = v
		} else {
			k.b = v
		}
	}
	return k, nil
}

// entry is a hit in the collector's heap.
type entry struct {
	k     key
	row   *row
	score float64
}

// collector counts facets over every match and keeps the first n
// matches after the cursor in a heap whose root is the last of them.
type collector struct {
	c      *columns
	order  order
	after  *key
	n      int
	heap   []entry
	total  uint64
	cats   []int
	brands []int
	prices []int
}

func (col *collector) add(r *row, score float64) {
	col.total++
	col.cats[r.cat]++
	col.brands[r.brand]++
	col.prices[r.price]++
	k := col.order.key(r, score)
	if col.after != nil && !col.after.less(k) {
		return
	}
	h := col.heap
	if len(h) == col.n {
		if !k.less(h[0].k) {
			return
		}
		h[0] = entry{k, r, score}
		col.down(0)
		return
	}
	h = append(h, entry{k, r, score})
	col.heap = h
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h[p].k.less(h[i].k) {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func (col *collector) down(i int) {
	h := col.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[l].k.less(h[r].k) {
			m = r
		}
		if !h[i].k.less(h[m].k) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// collect runs q in Bleve for its matches only and collects them: the
// first n after the cursor in order, the total and the facets.
func (e *Engine) collect(ctx context.Context, q query.Query, o order, after *key, n int) (*collector, error) {
	c := e.cols
	col := &collector{c: c, order: o, after: after, n: n, heap: make([]entry, 0, min(n, 1024)),
		cats: make([]int, len(c.cats)), brands: make([]int, len(c.brands)), prices: make([]int, len(priceEdges)+1)}
	var unknown uint64
	mk := bsearch.MakeDocumentMatchHandler(func(sctx *bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error) {
		return func(d *bsearch.DocumentMatch) error {
			if d == nil {
				return nil
			}
			num := d.IndexInternalID.Value()
			if num < uint64(len(c.rows)) && c.rows[num].pos >= 0 {
				col.add(&c.rows[num], d.Score)
			} else {
				unknown++
			}
			sctx.DocumentMatchPool.Put(d)
			return nil
		}, false, nil
	})
	// Size 0 and the default sort (score): Bleve's own collector then
	// neither visits doc values nor loads IDs, and keeps no hits.
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	res, err := e.idx.SearchInContext(context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, mk), req)
	if err != nil {
		return nil, err
	}
	if res.Total != col.total+unknown {
		return nil, fmt.Errorf("collected %d of %d matches", col.total+unknown, res.Total)
	}
	col.total = res.Total
	return col, nil
}

// hits are the collected hits in order.
func (col *collector) hits() []entry {
	h := col.heap
	sort.Slice(h, func(i, j int) bool { return h[i].k.less(h[j].k) })
	return h
}

// facets turns the counts into buckets: category and brand by count,
// then value, at most 20 and 50 (as Bleve's terms facets did); every
// price bucket.
func (col *collector) facets() Facets {
	f := Facets{
		Category: terms(col.cats, col.c.cats, categoryFacetSize),
		Brand:    terms(col.brands, col.c.brands, brandFacetSize),
		Price:    []PriceBucket{},
	}
	for i, lo := range priceEdges {
		b := PriceBucket{Min: lo, Count: col.prices[i]}
		if i+1 < len(priceEdges) {
			hi := priceEdges[i+1]
			b.Max = &hi
		}
		f.Price = append(f.Price, b)
	}
	return f
}

func terms(counts []int, values []string, size int) []Bucket {
	out := []Bucket{}
	for i, n := range counts {
		if n > 0 {
			out = append(out, Bucket{Value: values[i], Count: n})
		}
	}
	// values are sorted, so a stable sort by count keeps ties by value.
	slices.SortStableFunc(out, func(a, b Bucket) int { return cmp.Compare(b.Count, a.Count) })
	return out[:min(size, len(out))]
}
