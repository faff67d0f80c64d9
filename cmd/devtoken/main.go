// Command devtoken prints a development bearer token for `make run`:
//
//	TOKEN=$(go run ./cmd/devtoken alice)
//	curl -H "Authorization: Bearer $TOKEN" localhost:8080/orders/…
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/devauth"
)

func main() {
	ttl := flag.Duration("ttl", 24*time.Hour, "how long the token is valid")
	flag.Parse()
	sub := flag.Arg(0)
	if sub == "" {
		sub = "demo-shopper"
	}
	secret := os.Getenv("JIAOYI_DEV_JWT_SECRET")
	if secret == "" {
		secret = devauth.DefaultSecret
	}
	tok, err := devauth.Token(secret, sub, *ttl, time.Now())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(tok)
}
