// Command receval measures the recommendations on a seeded order history
// over the demo catalog: each shopper's last order is held out, the
// co-purchase lists are learned from every other order, and the hit rate
// at 10 (the held-out order has a product in the shopper's top 10, things
// bought before excluded) is compared with the ten best-sellers'.
//
//	go run ./cmd/receval [-customers 5000] [-seed 1] [-k 10]
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/recommend"
)

func main() {
	customers := flag.Int("customers", 5000, "simulated shoppers")
	seed := flag.Uint64("seed", 1, "seed of the simulated history")
	k := flag.Int("k", 10, "list length")
	flag.Parse()
	if *customers < 10 || *k < 1 || *k > 100 {
		fmt.Fprintln(os.Stderr, "receval: -customers must be at least 10 and -k from 1 to 100")
		os.Exit(2)
	}
	start := time.Now()
	orders := recommend.Simulate(Products(), *customers, *seed)
	ev := recommend.Evaluate(orders, *k)
	fmt.Printf("orders %d, shoppers evaluated %d (leave the last order out), %s\n", len(orders), ev.Customers, time.Since(start).Round(time.Millisecond))
	fmt.Printf("%-28s %s\n", "method", fmt.Sprintf("hit rate@%d", *k))
	fmt.Printf("%-28s %.3f\n", "item-to-item (also bought)", ev.HitRate)
	fmt.Printf("%-28s %.3f\n", "popularity", ev.Popularity)
	fmt.Printf("catalog coverage of the lists %.1f%%\n", 100*ev.Coverage)
}

// Products are the demo catalog's active products.
func Products() []recommend.Product {
	var ps []recommend.Product
	for _, p := range demo.Catalog().Products {
		if p.Status == catalog.Active {
			ps = append(ps, recommend.Product{ID: p.ID, Category: p.Category, Brand: p.Brand})
		}
	}
	return ps
}
