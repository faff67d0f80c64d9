package recommend

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// Product is what the simulation knows of a catalog product.
type Product struct {
	ID, Category, Brand string
}

// Order is one simulated paid order.
type Order struct {
	Customer string
	Products []string
}

// Simulate generates a seeded order history over products with the
// patterns real shoppers show: favourite categories, best-sellers (a
// Zipf-like skew), companions bought together or in a later order
// (refills, accessories: a product's companions are fixed, an item in
// another category and neighbours in its own), plus noise. The same seed gives the same history.
func Simulate(products []Product, customers int, seed uint64) []Order {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	byCat := map[string][]Product{}
	byID := map[string]Product{}
	var cats []string
	for _, p := range products {
		if byCat[p.Category] == nil {
			cats = append(cats, p.Category)
		}
		byCat[p.Category] = append(byCat[p.Category], p)
		byID[p.ID] = p
	}
	companions := map[string][]string{}
	for _, p := range products {
		in := byCat[p.Category]
		h := hash64(p.ID)
		for i := range 3 {
			var c Product
			if i == 0 {
				other := byCat[cats[(slices.Index(cats, p.Category)+1+int(h%uint64(len(cats)-1)))%len(cats)]]
				c = other[int((h>>8)%uint64(len(other)))]
			} else {
				c = in[int((h>>(16*i))%uint64(len(in)))]
			}
			if c.ID != p.ID {
				companions[p.ID] = append(companions[p.ID], c.ID)
			}
		}
	}
	// Zipf-like popularity within a category: rank r has weight 1/(r+1).
	pick := func(list []Product) Product {
		total := 0.0
		for r := range list {
			total += 1 / float64(r+1)
		}
		x := rng.Float64() * total
		for r, p := range list {
			if x -= 1 / float64(r+1); x <= 0 {
				return p
			}
		}
		return list[len(list)-1]
	}
	var orders []Order
	for u := range customers {
		fav := []string{cats[rng.IntN(len(cats))]}
		if rng.Float64() < 0.5 {
			fav = append(fav, cats[rng.IntN(len(cats))])
		}
		n := 1 + poisson(rng, 3)
		var bought []string
		for range n {
			anchor := pick(byCat[fav[rng.IntN(len(fav))]])
			// Refills and accessories: a later order often holds a companion
			// of something bought before (the teapot, then the tea).
			if len(bought) > 0 && rng.Float64() < 0.35 {
				if cs := companions[bought[rng.IntN(len(bought))]]; len(cs) > 0 {
					anchor = byID[cs[rng.IntN(len(cs))]]
				}
			}
			basket := []string{anchor.ID}
			if cs := companions[anchor.ID]; len(cs) > 0 && rng.Float64() < 0.6 {
				basket = append(basket, cs[rng.IntN(len(cs))])
			}
			if rng.Float64() < 0.25 {
				basket = append(basket, pick(byCat[cats[rng.IntN(len(cats))]]).ID)
			}
			bought = append(bought, basket...)
			orders = append(orders, Order{Customer: customerID(u), Products: basket})
		}
	}
	return orders
}

func customerID(u int) string { return "sim-" + strconv.Itoa(u) }

func hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func poisson(rng *rand.Rand, mean float64) int {
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// Evaluation is a leave-last-order-out comparison.
type Evaluation struct {
	// Customers is how many shoppers had an order held out and history before it.
	Customers int
	// HitRate is the share of them whose held-out order has a product in
	// their top K (products bought before excluded); Popularity is the
	// same for the K best-sellers.
	HitRate, Popularity float64
	// Coverage is the share of products that appear in some list.
	Coverage float64
}

// Evaluate holds out each shopper's last order, learns from all the other
// orders, and scores the item-to-item lists against popularity at K.
func Evaluate(orders []Order, k int) Evaluation {
	last := map[string]int{}
	for i, o := range orders {
		last[o.Customer] = i
	}
	train := NewCounts()
	history := map[string]map[string]int64{}
	for i, o := range orders {
		if last[o.Customer] == i {
			continue
		}
		train.Add(o.Products)
		if history[o.Customer] == nil {
			history[o.Customer] = map[string]int64{}
		}
		for _, p := range o.Products {
			history[o.Customer][p]++
		}
	}
	tops := train.Tops(K)
	popular := train.Popular(len(train.Orders))
	var ev Evaluation
	seen := map[string]bool{}
	var hits, popHits int
	for c, i := range last {
		h := history[c]
		if len(h) == 0 {
			continue
		}
		ev.Customers++
		held := orders[i].Products
		recs := ForUser(h, tops, nil, k)
		for _, r := range recs {
			seen[r.ProductID] = true
		}
		if slices.ContainsFunc(recs, func(s Scored) bool { return slices.Contains(held, s.ProductID) }) {
			hits++
		}
		var pop []string
		for _, p := range popular {
			if _, bought := h[p]; !bought {
				pop = append(pop, p)
			}
			if len(pop) == k {
				break
			}
		}
		if slices.ContainsFunc(pop, func(p string) bool { return slices.Contains(held, p) }) {
			popHits++
		}
	}
	if ev.Customers > 0 {
		ev.HitRate = float64(hits) / float64(ev.Customers)
		ev.Popularity = float64(popHits) / float64(ev.Customers)
	}
	if len(train.Orders) > 0 {
		ev.Coverage = float64(len(seen)) / float64(len(train.Orders))
	}
	return ev
}
