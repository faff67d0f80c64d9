// Command loadtest drives a running jiaoyi (make run, or any base URL)
// with a mix of traffic before a sale, on vegeta (as a library), and
// prints throughput, latency percentiles per kind, a status histogram and
// the invariants: orders placed for the hot SKU equal the stock it lost,
// no 5xx, and every retry of one Idempotency-Key answered the same order.
//
//	go run ./cmd/loadtest                                  # 200 racing checkouts of one SKU
//	go run ./cmd/loadtest -mix hot=1,spread=2,read=6,dup=1 -rate 50 -duration 30s
//	go run ./cmd/loadtest -requests 1 -workers 1           # one placement, for its latency
//
// Shoppers are development tokens (the secret make run accepts); each
// request uses one of -shoppers distinct shoppers, new to each run, so
// per-shopper hold caps do not distort a flash-sale test. Exit status 1 when an invariant fails,
// 2 for bad flags.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/devauth"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "base URL of the API")
	mixFlag := flag.String("mix", "hot=1", "weights of hot, spread, read and dup traffic")
	rate := flag.Int("rate", 0, "requests per second (0: as fast as -workers allow)")
	workers := flag.Int("workers", 200, "concurrent requests at most")
	requests := flag.Int("requests", 200, "requests in all (0: until -duration)")
	duration := flag.Duration("duration", 0, "how long to run (0: until -requests are sent)")
	sku := flag.String("sku", "", "the hot SKU (default: a demo SKU with little stock)")
	shoppers := flag.Int("shoppers", 200, "distinct shoppers")
	secret := flag.String("secret", env("JIAOYI_DEV_JWT_SECRET", devauth.DefaultSecret), "development token secret")
	seed := flag.Uint64("seed", 1, "seed of the traffic mix")
	emu := flag.String("emulator", "", "the emulator's URL (make run prints it): also report the emulator's own request rate")
	flag.Parse()
	mix, err := ParseMix(*mixFlag)
	if err == nil && (*workers < 1 || *shoppers < 1 || *rate < 0 || (*requests <= 0 && *duration <= 0)) {
		err = fmt.Errorf("need -workers and -shoppers of at least 1, -rate ≥ 0, and -requests or -duration")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	os.Exit(run(Config{Base: strings.TrimRight(*base, "/"), Mix: mix, Rate: *rate, Workers: *workers, Requests: *requests,
		Duration: *duration, HotSKU: *sku, Shoppers: *shoppers, Secret: *secret, Seed: *seed, Emulator: strings.TrimRight(*emu, "/")}, os.Stdout))
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Config is one load test.
type Config struct {
	Base                              string
	Mix                               Mix
	Rate, Workers, Requests, Shoppers int
	Duration                          time.Duration
	HotSKU, Secret                    string
	Seed                              uint64
	// Emulator is the emulator's URL; its counters are read before and
	// after, so the report says how many requests it served and how busy.
	Emulator string
}

// EmulatorStats are the emulator's counters (GET /_jiaoyi/stats).
type EmulatorStats struct {
	Requests    int64   `json:"requests"`
	BusySeconds float64 `json:"busySeconds"`
}

func emulatorStats(client *http.Client, url string) (EmulatorStats, error) {
	var st EmulatorStats
	resp, err := client.Get(url + "/_jiaoyi/stats")
	if err != nil {
		return st, fmt.Errorf("emulator stats: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return st, fmt.Errorf("emulator stats: %s answered %d (is it jiaoyi's emulator?)", url, resp.StatusCode)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func run(cfg Config, out io.Writer) int {
	c := demo.Catalog()
	var active []catalog.SKU
	productOf := map[string]string{}
	var products []string
	for _, p := range c.Products {
		if p.Status == catalog.Active {
			products = append(products, p.ID)
		}
	}
	for _, s := range c.SKUs {
		productOf[s.ID] = s.ProductID
	}
	for _, s := range c.SKUs {
		if s.Available > 0 && isActive(c, s.ProductID) {
			active = append(active, s)
		}
	}
	if cfg.HotSKU == "" {
		for _, s := range active {
			if s.Available >= 20 && s.Available <= 60 {
				cfg.HotSKU = s.ID
				break
			}
		}
	}
	// Spread and duplicate traffic stay off the hot SKU, so its stock moves
	// only by the hot orders the invariant counts.
	active = slices.DeleteFunc(active, func(s catalog.SKU) bool { return s.ID == cfg.HotSKU })
	hotProduct := productOf[cfg.HotSKU]
	if hotProduct == "" {
		fmt.Fprintln(os.Stderr, "loadtest: -sku is not a demo SKU")
		return 2
	}
	client := &http.Client{Timeout: 30 * time.Second}
	before, err := stock(client, cfg.Base, hotProduct, cfg.HotSKU)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		return 2
	}
	// Shoppers are new to each run: a second run would otherwise find the
	// first run's shoppers at their hold cap (429) and their risk velocity
	// counters raised (403), and measure refusals instead of placements.
	run := time.Now().UTC().Format("150405.000")
	tokens := make([]string, cfg.Shoppers)
	for i := range tokens {
		if tokens[i], err = devauth.Token(cfg.Secret, fmt.Sprintf("load-%s-%d", run, i), time.Hour, time.Now()); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			return 2
		}
	}
	targets := NewTargets(cfg, tokens, active, products)
	opts := []func(*vegeta.Attacker){vegeta.MaxWorkers(uint64(cfg.Workers)), vegeta.Timeout(60 * time.Second), vegeta.KeepAlive(true)}
	var pacer vegeta.Pacer = vegeta.ConstantPacer{Freq: cfg.Rate, Per: time.Second}
	if cfg.Rate == 0 {
		opts = append(opts, vegeta.Workers(uint64(cfg.Workers)))
		pacer = vegeta.ConstantPacer{}
	}
	attacker := vegeta.NewAttacker(opts...)
	report := NewReport()
	var emuBefore EmulatorStats
	if cfg.Emulator != "" {
		if emuBefore, err = emulatorStats(client, cfg.Emulator); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			return 2
		}
	}
	start := time.Now()
	for res := range attacker.Attack(targets.Next, pacer, cfg.Duration, "jiaoyi") {
		report.Add(res)
	}
	report.Elapsed = time.Since(start)
	after, err := stock(client, cfg.Base, hotProduct, cfg.HotSKU)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		return 2
	}
	report.StockBefore, report.StockAfter = before, after
	report.Print(out, cfg)
	if cfg.Emulator != "" {
		emuAfter, err := emulatorStats(client, cfg.Emulator)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			return 2
		}
		n, busy := emuAfter.Requests-emuBefore.Requests, emuAfter.BusySeconds-emuBefore.BusySeconds
		if n > 0 {
			fmt.Fprintf(out, "emulator  %d requests (%.1f per API request), %.0f/s; busy %.0f%% of the run, %.2f ms per request\n",
				n, float64(n)/float64(max(report.All.Requests, 1)), float64(n)/report.Elapsed.Seconds(), 100*busy/report.Elapsed.Seconds(), 1000*busy/float64(n))
		}
	}
	if failures := report.Invariants(); len(failures) > 0 {
		for _, f := range failures {
			fmt.Fprintln(out, "INVARIANT FAILED:", f)
		}
		return 1
	}
	fmt.Fprintln(out, "invariants hold")
	return 0
}

func isActive(c catalog.Batch, productID string) bool {
	for _, p := range c.Products {
		if p.ID == productID {
			return p.Status == catalog.Active
		}
	}
	return false
}

// stock reads a SKU's available units from its product page.
func stock(client *http.Client, base, productID, skuID string) (int64, error) {
	resp, err := client.Get(base + "/products/" + productID)
	if err != nil {
		return 0, fmt.Errorf("is jiaoyi running at %s? %w", base, err)
	}
	defer resp.Body.Close()
	var p catalog.ProductDetail
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != 200 {
		return 0, fmt.Errorf("product %s: %d %v", productID, resp.StatusCode, err)
	}
	for _, s := range p.SKUs {
		if s.ID == skuID {
			return s.Available, nil
		}
	}
	return 0, fmt.Errorf("product %s has no SKU %s", productID, skuID)
}
