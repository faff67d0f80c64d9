package apigw

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

type body struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
	Tags  []string
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		b64         bool
		wantCode    problem.Code
		wantField   string
	}{
		{"ok", "application/json", `{"name":"x","count":2}`, false, "", ""},
		{"ok base64", "application/json; charset=utf-8", `{"name":"x"}`, true, "", ""},
		{"empty", "application/json", ``, false, problem.Invalid, ""},
		{"syntax", "application/json", `{"name":`, false, problem.Invalid, ""},
		{"broken", "application/json", `{"name" 1}`, false, problem.Invalid, ""},
		{"unknown field", "application/json", `{"nme":"x"}`, false, problem.Invalid, "nme"},
		{"wrong type", "application/json", `{"count":"two"}`, false, problem.Invalid, "count"},
		{"not an object", "application/json", `[1,2]`, false, problem.Invalid, ""},
		{"trailing data", "application/json", `{"name":"x"} {}`, false, problem.Invalid, ""},
		{"form content type", "application/x-www-form-urlencoded", `name=x`, false, problem.UnsupportedMedia, ""},
		{"too large", "application/json", `{"name":"` + strings.Repeat("x", 2000) + `"}`, false, problem.TooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Headers: map[string]string{"content-type": tt.contentType}, Body: tt.body}
			if tt.b64 {
				req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(tt.body)), true
			}
			var got body
			err := DecodeJSON(req, &got, 1024)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if got.Name != "x" {
					t.Errorf("name = %q, want x", got.Name)
				}
				return
			}
			p := problem.From(err)
			if p.Code != tt.wantCode || p.Field != tt.wantField {
				t.Errorf("got %s field %q (%v), want %s field %q", p.Code, p.Field, err, tt.wantCode, tt.wantField)
			}
		})
	}
}

func TestWrapRendersProblemsAndHidesInternalErrors(t *testing.T) {
	var logs bytes.Buffer
	log := logging.New(&logs, "info")
	tests := []struct {
		name       string
		fn         Handler
		wantStatus int
		wantDetail string
	}{
		{"not found", func(context.Context, Request) (Response, error) {
			return Response{}, problem.New(problem.NotFound, "product not found")
		}, 404, "product not found"},
		{"wrapped sentinel", func(context.Context, Request) (Response, error) {
			return Response{}, errors.Join(errors.New("ctx"), problem.Field("id", "bad id"))
		}, 400, "bad id"},
		{"internal", func(context.Context, Request) (Response, error) {
			return Response{}, errors.New("dynamodb: secret table exploded")
		}, 500, "internal error"},
		{"panic", func(context.Context, Request) (Response, error) {
			panic("nil map")
		}, 500, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs.Reset()
			req := Request{RouteKey: "GET /x", RawPath: "/x"}
			req.RequestContext = events.APIGatewayV2HTTPRequestContext{RequestID: "rid-1"}
			resp, err := Wrap(log, tt.fn)(context.Background(), req)
			if err != nil {
				t.Fatalf("Wrap returned a Go error: %v", err)
			}
			if resp.StatusCode != tt.wantStatus || resp.Headers["Content-Type"] != problem.ContentType {
				t.Fatalf("got %d %q, want %d problem+json", resp.StatusCode, resp.Headers["Content-Type"], tt.wantStatus)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(resp.Body), &doc); err != nil {
				t.Fatal(err)
			}
			if doc["detail"] != tt.wantDetail || doc["status"] != float64(tt.wantStatus) || doc["instance"] != "/x" {
				t.Errorf("problem = %v, want detail %q", doc, tt.wantDetail)
			}
			if strings.Contains(resp.Body, "secret") {
				t.Errorf("internal cause leaked to the client: %s", resp.Body)
			}
			if !strings.Contains(logs.String(), `"request_id":"rid-1"`) || !strings.Contains(logs.String(), `"status":`) {
				t.Errorf("log lacks request id or status: %s", logs.String())
			}
		})
	}
}

func TestProblemExtensions(t *testing.T) {
	err := problem.New(problem.Conflict, "out of stock").With(map[string]any{"lines": []string{"a"}, "status": 999})
	resp := Problem(context.Background(), Request{RawPath: "/orders"}, err)
	var doc map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["status"] != float64(409) {
		t.Errorf("an extension overrode the status: %v", doc["status"])
	}
	if _, ok := doc["lines"]; !ok {
		t.Errorf("extension missing: %v", doc)
	}
}

func TestSubject(t *testing.T) {
	req := Request{}
	if _, err := Subject(req); !errors.Is(err, ErrNoSubject) {
		t.Errorf("no authorizer err = %v", err)
	}
	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "u1"}},
	}
	if got, err := Subject(req); err != nil || got != "u1" {
		t.Errorf("Subject = %q, %v", got, err)
	}
}

// A caller that leaves mid-request is logged as such, not as a 500.
func TestCallerGoneIsNotAnInternalError(t *testing.T) {
	var logs strings.Builder
	h := Wrap(slog.New(slog.NewJSONHandler(&logs, nil)), func(ctx context.Context, req Request) (Response, error) {
		<-ctx.Done()
		return Response{}, fmt.Errorf("TransactWriteItems: %w", ctx.Err())
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	resp, err := h(ctx, Request{})
	if err != nil || resp.StatusCode != 499 {
		t.Errorf("status %d, %v; want 499", resp.StatusCode, err)
	}
	if strings.Contains(logs.String(), "internal error") || !strings.Contains(logs.String(), "caller went away") {
		t.Errorf("logs %s; want the caller's leaving, no internal error", logs.String())
	}
}
