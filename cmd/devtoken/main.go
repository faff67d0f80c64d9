// Command devtoken prints a development bearer token for `make run`:
//
//	TOKEN=$(go run ./cmd/devtoken alice)                                   # a shopper
//	TOKEN=$(go run ./cmd/devtoken -role merchant -merchant mch_… staff-1)  # merchant staff
//	TOKEN=$(go run ./cmd/devtoken -role ops op-1)                          # an operator
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
	role := flag.String("role", "shopper", "shopper, merchant or ops")
	merchant := flag.String("merchant", "", "the merchant id of a merchant role (mch_…)")
	flag.Parse()
	var groups []string
	switch *role {
	case "shopper":
	case "ops":
		groups = []string{"ops"}
	case "merchant":
		if *merchant == "" {
			fmt.Fprintln(os.Stderr, "devtoken: -role merchant needs -merchant mch_…")
			os.Exit(2)
		}
		groups = []string{"merchant:" + *merchant}
	default:
		fmt.Fprintf(os.Stderr, "devtoken: -role %q is not shopper, merchant or ops\n", *role)
		os.Exit(2)
	}
	sub := flag.Arg(0)
	if sub == "" {
		sub = "demo-shopper"
	}
	secret := os.Getenv("JIAOYI_DEV_JWT_SECRET")
	if secret == "" {
		secret = devauth.DefaultSecret
	}
	tok, err := devauth.Token(secret, sub, *ttl, time.Now(), groups...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(tok)
}
