package config

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type sample struct {
	Table string `env:"T_TABLE,required,notEmpty"`
	Limit int    `env:"T_LIMIT" envDefault:"7"`
}

func TestLoadFrom(t *testing.T) {
	tests := []struct {
		name    string
		environ map[string]string
		want    sample
		wantErr string
	}{
		{"defaults", map[string]string{"T_TABLE": "x"}, sample{Table: "x", Limit: 7}, ""},
		{"explicit", map[string]string{"T_TABLE": "x", "T_LIMIT": "3"}, sample{Table: "x", Limit: 3}, ""},
		{"missing required names the variable", map[string]string{}, sample{}, "T_TABLE"},
		{"bad int names the variable", map[string]string{"T_TABLE": "x", "T_LIMIT": "many"}, sample{}, "T_LIMIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadFrom[sample](tt.environ)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// Bodies reach the server whole: small ones from the copy, one past the
// limit as the caller gave it.
func TestDetachedBodies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%d:%x", len(b), sha256.Sum256(b))
	}))
	defer srv.Close()
	c := detachedBodies{srv.Client()}
	for _, n := range []int{1, 4096, maxDetached, maxDetached + 1} {
		body := bytes.Repeat([]byte("a"), n)
		req, err := http.NewRequest("POST", srv.URL, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf("%d:%x", n, sha256.Sum256(body)); string(got) != want {
			t.Errorf("%d bytes: server read %s, want %s", n, got, want)
		}
	}
}
