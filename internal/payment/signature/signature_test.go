package signature

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":1280}}}`)
	old, cur := "whsec_old", "whsec_new"

	// The same body parsed and re-serialised: same meaning, other bytes.
	var v map[string]any
	_ = json.Unmarshal(body, &v)
	reserialised, _ := json.MarshalIndent(v, "", " ")

	tests := []struct {
		name    string
		header  string
		body    []byte
		secrets []string
		want    error
	}{
		{"valid", Sign(body, now, cur), body, []string{cur}, nil},
		{"signed with the old secret during rotation", Sign(body, now, old), body, []string{cur, old}, nil},
		{"signed with the new secret during rotation", Sign(body, now, cur), body, []string{cur, old}, nil},
		{"several v1, one matches", Sign(body, now, "whsec_other", cur), body, []string{cur}, nil},
		{"old secret after rotation ended", Sign(body, now, old), body, []string{cur}, ErrBadSignature},
		{"wrong secret", Sign(body, now, "whsec_attacker"), body, []string{cur}, ErrBadSignature},
		{"body changed", Sign(body, now, cur), bytes.Replace(body, []byte("1280"), []byte("1"), 1), []string{cur}, ErrBadSignature},
		{"body re-serialised after parsing", Sign(body, now, cur), reserialised, []string{cur}, ErrBadSignature},
		{"stale by 301s", Sign(body, now.Add(-301*time.Second), cur), body, []string{cur}, ErrStale},
		{"future by 301s", Sign(body, now.Add(301*time.Second), cur), body, []string{cur}, ErrStale},
		{"edge of tolerance", Sign(body, now.Add(-300*time.Second), cur), body, []string{cur}, nil},
		{"missing header", "", body, []string{cur}, ErrNoSignature},
		{"no timestamp", "v1=" + strings.Repeat("ab", 32), body, []string{cur}, ErrMalformedSignature},
		{"no v1", "t=1795574400", body, []string{cur}, ErrMalformedSignature},
		{"v1 not hex", "t=1795574400,v1=zz", body, []string{cur}, ErrMalformedSignature},
		{"v1 wrong length", "t=1795574400,v1=abcd", body, []string{cur}, ErrMalformedSignature},
		{"timestamp not a number", "t=soon,v1=" + strings.Repeat("ab", 32), body, []string{cur}, ErrMalformedSignature},
		{"two timestamps", "t=1,t=2,v1=" + strings.Repeat("ab", 32), body, []string{cur}, ErrMalformedSignature},
		{"garbage", "hello", body, []string{cur}, ErrMalformedSignature},
		{"too large", Sign(body, now, cur), make([]byte, MaxBody+1), []string{cur}, ErrTooLarge},
		{"only a v0 signature", "t=1795574400,v0=" + strings.Repeat("ab", 32), body, []string{cur}, ErrMalformedSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.header, tt.body, tt.secrets, now)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}
