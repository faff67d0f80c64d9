// Package eval measures search quality against a golden set of graded
// queries over the demo catalog: nDCG@10, recall@10, MRR, zero-result
// rate, noise on out-of-catalog queries, and latency, for any engine that
// returns ranked product ids.
package eval

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
)

//go:embed testdata/golden.json
var goldenJSON []byte

// Rule grades the products that meet all of its set conditions: Item is
// the Chinese name without the line/brand prefix.
type Rule struct {
	Item     string `json:"item,omitempty"`
	Brand    string `json:"brand,omitempty"`
	Category string `json:"category,omitempty"`
	Grade    int    `json:"grade"`
}

// Query is a golden query with its grading rules; no rules means nothing
// in the catalog is relevant.
type Query struct {
	Q     string `json:"q"`
	Kind  string `json:"kind"`
	Rules []Rule `json:"rules"`
}

// Golden returns the golden set.
func Golden() ([]Query, error) {
	var qs []Query
	if err := json.Unmarshal(goldenJSON, &qs); err != nil {
		return nil, fmt.Errorf("eval: golden set: %w", err)
	}
	return qs, nil
}

// Grades maps product id to grade (absent = 0) for one query over the
// active products.
func Grades(q Query, products []catalog.Product) map[string]int {
	g := map[string]int{}
	for _, p := range products {
		if p.Status != catalog.Active {
			continue
		}
		for _, r := range q.Rules {
			if r.Item != "" && !strings.HasSuffix(p.Name.ZH, r.Item) {
				continue
			}
			if r.Brand != "" && p.Brand != r.Brand {
				continue
			}
			if r.Category != "" && p.Category != r.Category {
				continue
			}
			g[p.ID] = max(g[p.ID], r.Grade)
		}
	}
	return g
}

// Engine returns the ids of the top k products for q, best first.
type Engine func(ctx context.Context, q string, k int) ([]string, error)

// Metrics summarise an engine over the golden set. Quality metrics are
// averaged over queries with relevant products; Noise is the share of
// out-of-catalog queries that returned anything.
type Metrics struct {
	NDCG10     float64
	Recall10   float64
	MRR        float64
	ZeroResult float64
	Noise      float64
	MeanMS     float64
	P99MS      float64
	Queries    int
	ByKind     map[string]float64 // nDCG@10 per kind
}

// K is the cut-off of the ranked metrics.
const K = 10

// Run evaluates engine on the golden queries.
func Run(ctx context.Context, engine Engine, qs []Query, products []catalog.Product) (Metrics, error) {
	var m Metrics
	var lat []time.Duration
	kindSum, kindN := map[string]float64{}, map[string]int{}
	var rel, none int
	for _, q := range qs {
		start := time.Now()
		ids, err := engine(ctx, q.Q, K)
		lat = append(lat, time.Since(start))
		if err != nil {
			return Metrics{}, fmt.Errorf("eval: %q: %w", q.Q, err)
		}
		g := Grades(q, products)
		if len(g) == 0 {
			none++
			if len(ids) > 0 {
				m.Noise++
			}
			continue
		}
		rel++
		n := ndcg(ids, g)
		m.NDCG10 += n
		m.Recall10 += recall(ids, g)
		m.MRR += rr(ids, g)
		if len(ids) == 0 {
			m.ZeroResult++
		}
		kindSum[q.Kind] += n
		kindN[q.Kind]++
	}
	m.Queries = len(qs)
	if rel > 0 {
		m.NDCG10 /= float64(rel)
		m.Recall10 /= float64(rel)
		m.MRR /= float64(rel)
		m.ZeroResult /= float64(rel)
	}
	if none > 0 {
		m.Noise /= float64(none)
	}
	m.ByKind = map[string]float64{}
	for k, s := range kindSum {
		m.ByKind[k] = s / float64(kindN[k])
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	var total time.Duration
	for _, l := range lat {
		total += l
	}
	if len(lat) > 0 {
		m.MeanMS = float64(total.Microseconds()) / 1000 / float64(len(lat))
		m.P99MS = float64(lat[(len(lat)*99)/100].Microseconds()) / 1000
	}
	return m, nil
}

// ndcg is nDCG@K with gain 2^grade-1 and log2 discount.
func ndcg(ids []string, g map[string]int) float64 {
	dcg := 0.0
	for i, id := range ids {
		if i == K {
			break
		}
		dcg += (math.Pow(2, float64(g[id])) - 1) / math.Log2(float64(i+2))
	}
	var grades []int
	for _, v := range g {
		grades = append(grades, v)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(grades)))
	idcg := 0.0
	for i, v := range grades {
		if i == K {
			break
		}
		idcg += (math.Pow(2, float64(v)) - 1) / math.Log2(float64(i+2))
	}
	if idcg == 0 {
		return 0
	}
	return dcg / idcg
}

// recall is the share of the highly relevant products (grade ≥ 2, or the
// best grade present if lower) in the top K, out of at most K.
func recall(ids []string, g map[string]int) float64 {
	threshold := 2
	best := 0
	for _, v := range g {
		best = max(best, v)
	}
	threshold = min(threshold, best)
	want := 0
	for _, v := range g {
		if v >= threshold {
			want++
		}
	}
	got := 0
	for i, id := range ids {
		if i == K {
			break
		}
		if g[id] >= threshold {
			got++
		}
	}
	return float64(got) / float64(min(want, K))
}

// rr is the reciprocal rank of the first product with the best grade
// present for the query.
func rr(ids []string, g map[string]int) float64 {
	best := 0
	for _, v := range g {
		best = max(best, v)
	}
	for i, id := range ids {
		if g[id] == best {
			return 1 / float64(i+1)
		}
	}
	return 0
}
