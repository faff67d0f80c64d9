// Command sandboxpay pays or fails an order at the sandbox provider of a
// running `make run`, which then delivers the signed webhooks:
//
//	go run ./cmd/sandboxpay ord_… succeed            # pay; webhook delivered once
//	go run ./cmd/sandboxpay -deliver twice ord_… succeed
//	go run ./cmd/sandboxpay -deliver late -delay 30s ord_… succeed
//	go run ./cmd/sandboxpay ord_… fail
//
// -deliver: once, twice, late, reversed (a stale failure after the outcome)
// or never (the hold's expiry finds the payment at the provider).
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
)

func main() {
	addr := flag.String("addr", "http://127.0.0.1:8080", "the make run address")
	deliver := flag.String("deliver", "once", "once, twice, late, reversed or never")
	delay := flag.Duration("delay", 0, "with -deliver late: how late")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: sandboxpay [-deliver mode] ORDER_ID succeed|fail")
		os.Exit(2)
	}
	q := url.Values{"deliver": {*deliver}}
	if *delay > 0 {
		q.Set("delay", delay.String())
	}
	u := fmt.Sprintf("%s/_sandbox/orders/%s/%s?%s", *addr, url.PathEscape(flag.Arg(0)), url.PathEscape(flag.Arg(1)), q.Encode())
	resp, err := http.Post(u, "application/json", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandboxpay:", err, "(is make run up?)")
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	if resp.StatusCode >= 300 {
		os.Exit(1)
	}
}
