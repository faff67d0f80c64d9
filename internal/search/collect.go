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

// columns hold what a listing needs of each product, by its position in
// Engine.list (ID order), so that Bleve only finds the matches: facets,
// sorting and cursors are counted and compared here. Asking Bleve for
// them visits every match's doc values (and loads its ID to break ties),
// which took most of a query's time.
type columns struct {
	// pos maps Bleve's internal doc number to a position; -1 if the
	// index holds a document the snapshot's docs do not.
	pos []int32

	cat, brand   []int32  // value numbers into cats, brands
	cats, brands []string // distinct values, sorted
	price        []uint8  // price facet bucket; len(priceEdges) if none
	// The sort fields as the index holds them.
	priceMin, priceMax, created []float64
}

// newColumns reads the doc numbers of an opened index; list is the
// snapshot's docs in ID order. The index must be opened read-only: its
// doc numbers then stay what they were at open (nothing merges segments).
func newColumns(idx bleve.Index, list []Doc) (*columns, error) {
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
	c := &columns{}
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
		for uint64(len(c.pos)) <= num {
			c.pos = append(c.pos, -1)
		}
		i, ok := slices.BinarySearchFunc(list, ext, func(d Doc, id string) int { return cmp.Compare(d.ID, id) })
		if ok {
			c.pos[num] = int32(i)
		}
	}
	c.cat, c.cats = valueNumbers(list, func(d *Doc) string { return d.Category })
	c.brand, c.brands = valueNumbers(list, func(d *Doc) string { return d.Brand })
	c.price = make([]uint8, len(list))
	c.priceMin = make([]float64, len(list))
	c.priceMax = make([]float64, len(list))
	c.created = make([]float64, len(list))
	for i := range list {
		d := &list[i]
		c.price[i] = priceBucket(float64(d.PriceMin))
		c.priceMin[i] = float64(d.PriceMin)
		c.priceMax[i] = float64(d.PriceMax)
		c.created[i] = float64(d.Created.Unix())
	}
	return c, nil
}

// valueNumbers numbers the distinct values of a field in value order.
func valueNumbers(list []Doc, field func(*Doc) string) ([]int32, []string) {
	seen := map[string]bool{}
	for i := range list {
		seen[field(&list[i])] = true
	}
	values := make([]string, 0, len(seen))
	for v := range seen {
		values = append(values, v)
	}
	slices.Sort(values)
	num := make(map[string]int32, len(values))
	for i, v := range values {
		num[v] = int32(i)
	}
	out := make([]int32, len(list))
	for i := range list {
		out[i] = num[field(&list[i])]
	}
	return out, values
}

// priceBucket is the price facet bucket of a price, or len(priceEdges).
func priceBucket(v float64) uint8 {
	for i, lo := range priceEdges {
		if v >= float64(lo) && (i+1 == len(priceEdges) || v < float64(priceEdges[i+1])) {
			return uint8(i)
		}
	}
	return uint8(len(priceEdges))
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
func (c *columns) value(f field, pos int32, score float64) float64 {
	switch f {
	case fieldScore:
		return score
	case fieldPrice:
		return c.priceMin[pos]
	case fieldPriceMax:
		return c.priceMax[pos]
	case fieldCreated:
		return c.created[pos]
	}
	return 0 // sales: no sales data yet
}

func (o order) key(c *columns, pos int32, score float64) key {
	k := key{pos: 2 * int64(pos)}
	for i, f := range o.fields[:len(o.fields)-1] {
		v := c.value(f, pos, score)
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
func (o order) cursorValues(c *columns, list []Doc, pos int32, score float64) []string {
	out := make([]string, len(o.fields))
	for i, f := range o.fields {
		switch f {
		case fieldID:
			out[i] = list[pos].ID
		case fieldScore:
			out[i] = strconv.FormatFloat(score, 'g', -1, 64)
		default:
			out[i] = string(numeric.MustNewPrefixCodedInt64(numeric.Float64ToInt64(c.value(f, pos, score)), 0))
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
	pos   int32
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

func (col *collector) add(pos int32, score float64) {
	col.total++
	c := col.c
	col.cats[c.cat[pos]]++
	col.brands[c.brand[pos]]++
	col.prices[c.price[pos]]++
	k := col.order.key(c, pos, score)
	if col.after != nil && !col.after.less(k) {
		return
	}
	h := col.heap
	if len(h) == col.n {
		if !k.less(h[0].k) {
			return
		}
		h[0] = entry{k, pos, score}
		col.down(0)
		return
	}
	h = append(h, entry{k, pos, score})
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
			if num < uint64(len(c.pos)) && c.pos[num] >= 0 {
				col.add(c.pos[num], d.Score)
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
		Category: terms(col.cats, col.c.cats, 20),
		Brand:    terms(col.brands, col.c.brands, 50),
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
