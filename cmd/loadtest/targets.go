package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
)

// Kinds of traffic.
const (
	Hot    = "hot"    // checkouts of the one hot SKU
	Spread = "spread" // checkouts of random SKUs
	Read   = "read"   // product pages
	Dup    = "dup"    // one checkout sent three times with one Idempotency-Key
)

// Mix is the weight of each kind.
type Mix map[string]int

// ParseMix reads "hot=1,spread=2,read=6,dup=1".
func ParseMix(s string) (Mix, error) {
	m := Mix{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		w, err := strconv.Atoi(v)
		if !ok || err != nil || w < 0 {
			return nil, fmt.Errorf("-mix: %q is not kind=weight", part)
		}
		switch k {
		case Hot, Spread, Read, Dup:
			m[k] = w
		default:
			return nil, fmt.Errorf("-mix: unknown kind %q (hot, spread, read, dup)", k)
		}
	}
	total := 0
	for _, w := range m {
		total += w
	}
	if total == 0 {
		return nil, fmt.Errorf("-mix: the weights add up to zero")
	}
	return m, nil
}

// Targets generates the requests, deterministically from the seed.
type Targets struct {
	mu       sync.Mutex
	cfg      Config
	rng      *rand.Rand
	kinds    []string
	tokens   []string
	skus     []catalog.SKU
	products []string
	sent     int
	repeat   []vegeta.Target // the remaining sends of a duplicate
	// run makes this run's Idempotency-Keys its own.
	run string
}

// NewTargets returns the generator.
func NewTargets(cfg Config, tokens []string, skus []catalog.SKU, products []string) *Targets {
	var kinds []string
	for _, k := range []string{Hot, Spread, Read, Dup} {
		for range cfg.Mix[k] {
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)
	return &Targets{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 7)), kinds: kinds, tokens: tokens, skus: skus, products: products,
		run: strconv.FormatInt(time.Now().UnixNano(), 36)}
}

// Next fills t with the next request; vegeta.ErrNoTargets after -requests.
func (g *Targets) Next(t *vegeta.Target) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cfg.Requests > 0 && g.sent >= g.cfg.Requests {
		return vegeta.ErrNoTargets
	}
	g.sent++
	if len(g.repeat) > 0 {
		*t, g.repeat = g.repeat[0], g.repeat[1:]
		return nil
	}
	kind := g.kinds[g.rng.IntN(len(g.kinds))]
	n := g.sent
	switch kind {
	case Read:
		*t = vegeta.Target{Method: http.MethodGet, URL: fmt.Sprintf("%s/products/%s?lt=%s", g.cfg.Base, g.products[g.rng.IntN(len(g.products))], Read)}
		return nil
	case Hot:
		*t = g.checkout(Hot, g.cfg.HotSKU, fmt.Sprintf("load-%s-%d", g.run, n))
	case Spread:
		*t = g.checkout(Spread, g.skus[g.rng.IntN(len(g.skus))].ID, fmt.Sprintf("load-%s-%d", g.run, n))
	case Dup:
		key := fmt.Sprintf("load-dup-%s-%d", g.run, n)
		*t = g.checkout(Dup, g.skus[g.rng.IntN(len(g.skus))].ID, key)
		g.repeat = []vegeta.Target{*t, *t}
	}
	return nil
}

func (g *Targets) checkout(kind, sku, key string) vegeta.Target {
	body := fmt.Sprintf(`{"lines":[{"skuId":%q,"quantity":1}],"fulfilment":{"type":"ship","address":`+
		`{"name":"压测","phone":"13800000000","line1":"南京西路1266号","city":"上海","region":"SH","country":"CN"}}}`, sku)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	// Shoppers in turn, so no one shopper holds more than its share.
	h.Set("Authorization", "Bearer "+g.tokens[g.sent%len(g.tokens)])
	h.Set("Idempotency-Key", key)
	return vegeta.Target{Method: http.MethodPost, URL: fmt.Sprintf("%s/orders?lt=%s&k=%s", g.cfg.Base, kind, key), Body: []byte(body), Header: h}
}
