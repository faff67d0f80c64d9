// Package recommend learns "people who bought this also bought" from paid
// orders: co-purchase counts per pair of products, turned into a top-k per
// product by a normalised score so best-sellers do not fill every list,
// and "for you" lists from a shopper's own purchases through those top-k
// lists, with popularity for shoppers with no history. The scoring is pure
// and shared by the DynamoDB store, the evaluation tool and the demo seed.
package recommend

import (
	"cmp"
	"math"
	"slices"
)

// K is how many recommendations a list keeps.
const K = 10

// MaxBasket caps the distinct products of one order that are counted: an
// order's counts are one DynamoDB transaction (at most 100 writes), and a
// basket of eight makes 56 pair counts plus 24 other writes. Larger
// baskets (rare) count their first eight products.
const MaxBasket = 8

// Scored is a recommended product with its score.
type Scored struct {
	ProductID string  `json:"productId" dynamodbav:"p"`
	Score     float64 `json:"score" dynamodbav:"s"`
}

// shrink damps pairs seen only a few times, so one coincidence does not
// outrank a pattern.
const shrink = 2.0

// Score is the normalised co-purchase score of a and b: the cosine of
// their order vectors (co-purchases over the geometric mean of their order
// counts, so a best-seller bought with everything scores low with each),
// damped for small counts.
func Score(pair, countA, countB int64) float64 {
	if pair <= 0 || countA <= 0 || countB <= 0 {
		return 0
	}
	p := float64(pair)
	return p / math.Sqrt(float64(countA)*float64(countB)) * p / (p + shrink)
}

// TopK ranks a's neighbours (product → co-purchases) by Score, best
// first, at most k; count gives each product's order count.
func TopK(a string, neighbours map[string]int64, count func(string) int64, k int) []Scored {
	out := make([]Scored, 0, len(neighbours))
	ca := count(a)
	for b, n := range neighbours {
		if b == a {
			continue
		}
		if s := Score(n, ca, count(b)); s > 0 {
			out = append(out, Scored{ProductID: b, Score: s})
		}
	}
	sortScored(out)
	return out[:min(k, len(out))]
}

func sortScored(s []Scored) {
	slices.SortFunc(s, func(x, y Scored) int {
		if c := cmp.Compare(y.Score, x.Score); c != 0 {
			return c
		}
		return cmp.Compare(x.ProductID, y.ProductID)
	})
}

// Basket returns an order's distinct products, in order, at most MaxBasket.
func Basket(products []string) []string {
	var out []string
	for _, p := range products {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
		if len(out) == MaxBasket {
			break
		}
	}
	return out
}

// ForUser ranks products for a shopper who bought history (product →
// times bought) from those products' top-k lists: each list's scores,
// weighted by how often the shopper bought its product, summed; products
// already bought are left out. Popular fills what is left, so a new
// shopper still gets a list.
func ForUser(history map[string]int64, tops map[string][]Scored, popular []string, k int) []Scored {
	sum := map[string]float64{}
	for a, times := range history {
		w := 1 + math.Log(float64(times))
		for _, s := range tops[a] {
			if _, bought := history[s.ProductID]; !bought {
				sum[s.ProductID] += w * s.Score
			}
		}
	}
	out := make([]Scored, 0, len(sum))
	for p, s := range sum {
		out = append(out, Scored{ProductID: p, Score: s})
	}
	sortScored(out)
	out = out[:min(k, len(out))]
	for _, p := range popular {
		if len(out) >= k {
			break
		}
		if _, bought := history[p]; bought || slices.ContainsFunc(out, func(s Scored) bool { return s.ProductID == p }) {
			continue
		}
		out = append(out, Scored{ProductID: p})
	}
	return out
}

// Counts are co-purchase statistics held in memory (the evaluation tool
// and the demo seed); the store keeps the same counts in DynamoDB.
type Counts struct {
	Orders map[string]int64
	Pairs  map[string]map[string]int64
}

// NewCounts returns empty counts.
func NewCounts() *Counts {
	return &Counts{Orders: map[string]int64{}, Pairs: map[string]map[string]int64{}}
}

// Add counts one order's products.
func (c *Counts) Add(products []string) {
	b := Basket(products)
	for _, a := range b {
		c.Orders[a]++
		for _, x := range b {
			if x == a {
				continue
			}
			if c.Pairs[a] == nil {
				c.Pairs[a] = map[string]int64{}
			}
			c.Pairs[a][x]++
		}
	}
}

// Tops computes every product's top-k list.
func (c *Counts) Tops(k int) map[string][]Scored {
	count := func(p string) int64 { return c.Orders[p] }
	out := make(map[string][]Scored, len(c.Pairs))
	for a, n := range c.Pairs {
		out[a] = TopK(a, n, count, k)
	}
	return out
}

// Popular returns the k products in the most orders.
func (c *Counts) Popular(k int) []string {
	return Popular(c.Orders, k)
}

// Popular returns the k products with the highest counts.
func Popular(orders map[string]int64, k int) []string {
	ps := make([]Scored, 0, len(orders))
	for p, n := range orders {
		ps = append(ps, Scored{ProductID: p, Score: float64(n)})
	}
	sortScored(ps)
	out := make([]string, 0, k)
	for _, s := range ps[:min(k, len(ps))] {
		out = append(out, s.ProductID)
	}
	return out
}
