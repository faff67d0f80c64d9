// Package id makes and checks jiaoyi's identifiers: a type prefix, an
// underscore and 16 lowercase base32 characters (80 bits), e.g.
// "prd_k5xq2m7a9c3d4e6f". The prefix says what an id names, so a product id
// passed where an order id belongs is caught at the edge.
package id

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// The prefixes in use.
const (
	Product = "prd"
	SKU     = "sku"
	Store   = "sto"
	Slot    = "slt"
	Order   = "ord"
)

const bodyLen = 16

var enc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// New returns a random id with prefix.
func New(prefix string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return prefix + "_" + enc.EncodeToString(b)
}

// Derive returns the id with prefix that seed always maps to; seeding uses
// it so demo data keeps its ids across runs.
func Derive(prefix, seed string) string {
	sum := sha256.Sum256([]byte(prefix + "\x00" + seed))
	return prefix + "_" + enc.EncodeToString(sum[:10])
}

// Valid reports whether s is a well-formed id with prefix.
func Valid(prefix, s string) bool {
	body, ok := strings.CutPrefix(s, prefix+"_")
	if !ok || len(body) != bodyLen {
		return false
	}
	for _, r := range body {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}
