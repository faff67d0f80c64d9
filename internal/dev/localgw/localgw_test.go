package localgw

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
)

func TestGateway(t *testing.T) {
	var got apigw.Request
	echo := func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		got = req
		return apigw.JSON(200, map[string]string{"ok": "yes"})
	}
	failing := func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		return apigw.Response{}, errors.New("crash")
	}
	auth := func(r *http.Request) (map[string]string, error) {
		if r.Header.Get("Authorization") != "Bearer good" {
			return nil, errors.New("bad token")
		}
		return map[string]string{"sub": "user-1"}, nil
	}
	g, err := New(logging.New(io.Discard, "error"), auth, []Route{
		{Method: "GET", Path: "/things/{id}", Handler: echo},
		{Method: "POST", Path: "/things/{id}/notes", Handler: echo, NeedsAuth: true},
		{Method: "GET", Path: "/broken", Handler: failing},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	defer srv.Close()

	do := func(method, path, body, contentType, token string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		req.Header.Set("X-Custom", "v")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	if r := do("GET", "/things/abc?x=1&x=2&y=3", "", "", ""); r.StatusCode != 200 {
		t.Fatalf("status %d", r.StatusCode)
	}
	if got.RouteKey != "GET /things/{id}" || got.PathParameters["id"] != "abc" || got.RawQueryString != "x=1&x=2&y=3" ||
		got.QueryStringParameters["x"] != "1,2" || got.Headers["x-custom"] != "v" || got.RequestContext.RequestID == "" ||
		got.Version != "2.0" || got.RequestContext.HTTP.Method != "GET" {
		t.Errorf("event = %+v", got)
	}

	if r := do("POST", "/things/abc/notes", `{"a":1}`, "application/json", "good"); r.StatusCode != 200 {
		t.Fatalf("authorized POST status %d", r.StatusCode)
	}
	if got.Body != `{"a":1}` || got.IsBase64Encoded || got.RequestContext.Authorizer.JWT.Claims["sub"] != "user-1" {
		t.Errorf("event body %q base64 %v authorizer %+v", got.Body, got.IsBase64Encoded, got.RequestContext.Authorizer)
	}
	if r := do("POST", "/things/abc/notes", "\x00\x01", "application/octet-stream", "good"); r.StatusCode != 200 {
		t.Fatalf("binary POST status %d", r.StatusCode)
	}
	if b, _ := base64.StdEncoding.DecodeString(got.Body); !got.IsBase64Encoded || string(b) != "\x00\x01" {
		t.Errorf("binary body not base64-encoded: %q", got.Body)
	}

	tests := []struct {
		name, method, path, token string
		want                      int
		wantCT                    string
	}{
		{"unknown path", "GET", "/nowhere", "", 404, "application/problem+json"},
		{"wrong method", "DELETE", "/things/abc", "", 405, "application/problem+json"},
		{"no token", "POST", "/things/abc/notes", "", 401, "application/problem+json"},
		{"bad token", "POST", "/things/abc/notes", "bad", 401, "application/problem+json"},
		{"handler error", "GET", "/broken", "", 500, "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(tt.method, tt.path, "", "", tt.token)
			if r.StatusCode != tt.want || r.Header.Get("Content-Type") != tt.wantCT {
				t.Errorf("got %d %q, want %d %q", r.StatusCode, r.Header.Get("Content-Type"), tt.want, tt.wantCT)
			}
		})
	}
}

func TestRejectsAuthRouteWithoutAuthenticator(t *testing.T) {
	_, err := New(logging.New(io.Discard, "error"), nil, []Route{{Method: "GET", Path: "/x", NeedsAuth: true}})
	if err == nil {
		t.Fatal("want an error")
	}
}
