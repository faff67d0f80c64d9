package order

import (
	"crypto/rand"
	"math/big"
)

// codeAlphabet leaves out look-alikes (0/O, 1/I/L) so codes read aloud.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// CodeLength gives 31^8 ≈ 8.5e11 hand-over codes per store; with wrong
// guesses limited per store and minute, a brute force would take millennia.
const CodeLength = 8

// NewCode draws a hand-over code (pickup or check-in) from crypto/rand.
func NewCode() (string, error) {
	b := make([]byte, CodeLength)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		if err != nil {
			return "", err
		}
		b[i] = codeAlphabet[n.Int64()]
	}
	return string(b), nil
}
