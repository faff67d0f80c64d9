package devauth

import (
	"net/http"
	"testing"
	"time"
)

func TestAuthenticator(t *testing.T) {
	now := time.Now()
	good, _ := Token("s", "alice", time.Hour, now)
	expired, _ := Token("s", "alice", time.Hour, now.Add(-2*time.Hour))
	otherKey, _ := Token("other", "alice", time.Hour, now)
	tests := []struct {
		name, header string
		wantSub      string
	}{
		{"valid", "Bearer " + good, "alice"},
		{"missing", "", ""},
		{"not bearer", "Basic " + good, ""},
		{"expired", "Bearer " + expired, ""},
		{"wrong key", "Bearer " + otherKey, ""},
		{"garbage", "Bearer abc.def.ghi", ""},
		{"alg none", "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJtYWxsb3J5IiwiaXNzIjoiamlhb3lpLWxvY2FsIiwiYXVkIjoiamlhb3lpIiwiZXhwIjo0MTAyNDQ0ODAwfQ.", ""},
	}
	auth := Authenticator("s")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest("GET", "/", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			claims, err := auth(r)
			if tt.wantSub == "" {
				if err == nil {
					t.Fatalf("accepted: %v", claims)
				}
				return
			}
			if err != nil || claims["sub"] != tt.wantSub {
				t.Fatalf("claims %v, err %v; want sub %s", claims, err, tt.wantSub)
			}
		})
	}
}
