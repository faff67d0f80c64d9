// Package signature verifies and makes payment providers' webhook signatures.
//
// Signatures follow the scheme Stripe uses and the sandbox copies: a header
// "t=<unix seconds>,v1=<hex>,v1=<hex>…" where each v1 is HMAC-SHA256 over
// "<t>.<raw body>" with one of the endpoint's secrets. Several v1 values and
// several active secrets allow rotation; the timestamp must be within the
// tolerance in both directions. Verification runs on the raw bytes before
// anything parses them.
package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Tolerance is how far a signature's timestamp may be from now, either way.
const Tolerance = 300 * time.Second

// MaxBody is the largest webhook body accepted.
const MaxBody = 256 << 10

// Errors callers branch on; each is a 4xx problem whose message names no
// secret and repeats no input.
var (
	ErrNoSignature        = problem.New(problem.Invalid, "the signature header is missing")
	ErrMalformedSignature = problem.New(problem.Invalid, "the signature header is malformed")
	ErrStale              = problem.New(problem.Unauthorized, "the signature timestamp is outside the tolerance")
	ErrBadSignature       = problem.New(problem.Unauthorized, "no signature matches")
	ErrTooLarge           = problem.New(problem.TooLarge, fmt.Sprintf("the body is larger than %d bytes", MaxBody))
)

// Sign returns a signature header for body at t with each secret, the way a
// provider would send it.
func Sign(body []byte, t time.Time, secrets ...string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	parts := []string{"t=" + ts}
	for _, s := range secrets {
		parts = append(parts, "v1="+hex.EncodeToString(mac([]byte(s), ts, body)))
	}
	return strings.Join(parts, ",")
}

func mac(secret []byte, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks header against body with any of secrets at now. It returns
// nil if some v1 signature matches some secret and the timestamp is within
// Tolerance; otherwise one of the errors above.
func Verify(header string, body []byte, secrets []string, now time.Time) error {
	if len(body) > MaxBody {
		return ErrTooLarge
	}
	if strings.TrimSpace(header) == "" {
		return ErrNoSignature
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrMalformedSignature
		}
		switch k {
		case "t":
			if ts != "" {
				return ErrMalformedSignature
			}
			ts = v
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return ErrMalformedSignature
			}
			sigs = append(sigs, b)
		default:
			// Other schemes (v0, …) are ignored, as Stripe's libraries do.
		}
	}
	if ts == "" || len(sigs) == 0 {
		return ErrMalformedSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrMalformedSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > Tolerance || d < -Tolerance {
		return ErrStale
	}
	if len(secrets) == 0 {
		return errors.New("webhook: no secrets configured")
	}
	matched := false
	for _, s := range secrets {
		want := mac([]byte(s), ts, body)
		for _, got := range sigs {
			// Compare every pair in constant time; no early exit leaks which.
			if hmac.Equal(want, got) {
				matched = true
			}
		}
	}
	if !matched {
		return ErrBadSignature
	}
	return nil
}
