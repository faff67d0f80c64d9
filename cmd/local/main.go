// Command local is `make run`: the jiaoyi HTTP API on localhost against an
// AWS emulator, with the demo catalog seeded. Ctrl-C stops everything.
//
// Environment: JIAOYI_ADDR (default 127.0.0.1:8080), AWS_ENDPOINT_URL (use
// that emulator, e.g. LocalStack, instead of starting moto), JIAOYI_PREFIX
// (table and queue name prefix, default jiaoyi-local-), LOG_LEVEL.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/devserver"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := logging.Default()
	err := devserver.Run(ctx, devserver.Options{
		Addr:     env("JIAOYI_ADDR", "127.0.0.1:8080"),
		Endpoint: os.Getenv("AWS_ENDPOINT_URL"),
		Prefix:   env("JIAOYI_PREFIX", "jiaoyi-local-"),
		Log:      log,
		Ready: func(addr string, s devserver.Sample) {
			fmt.Fprintf(os.Stderr, "\njiaoyi is up on http://%s in %.1fs (emulator %s; seeded %d products, %d skus, %d slots)\n"+
				"  try: curl -s http://%s/products/%s\n"+
				"  tokens (24h; `go run ./cmd/devtoken -h` makes others):\n"+
				"    export TOKEN=%s           # the demo shopper\n"+
				"    export MERCHANT_TOKEN=%s  # staff of merchant %s\n"+
				"    export OPS_TOKEN=%s       # an operator\n"+
				"  Ctrl-C stops everything.\n\n",
				addr, s.Elapsed.Seconds(), s.Endpoint, s.Seeded.Products, s.Seeded.SKUs, s.Seeded.Slots, addr, s.ProductID,
				s.Token, s.MerchantToken, s.MerchantID, s.OpsToken)
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "jiaoyi:", err)
		os.Exit(1)
	}
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
