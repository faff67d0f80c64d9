// Package apigw adapts jiaoyi's HTTP handlers to API Gateway HTTP API
// (payload format 2.0) events: it reads requests, writes JSON and
// problem+json responses, logs each request with its id, and turns every
// error into the right status so API Gateway never sees a Go error.
package apigw

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Request and Response are the HTTP API payload 2.0 event types.
type (
	Request  = events.APIGatewayV2HTTPRequest
	Response = events.APIGatewayV2HTTPResponse
)

// Handler is the Lambda signature of an HTTP API route.
type Handler func(ctx context.Context, req Request) (Response, error)

// Wrap returns a Handler around fn that carries a logger with the request id
// and route in ctx, renders errors from fn as problem+json (a 5xx body says
// only "internal error"; the cause is logged), turns a panic into a 500, and
// logs one line per request with status and latency. The Handler never
// returns a Go error: API Gateway would answer those with a bare 500.
func Wrap(log *slog.Logger, fn Handler) Handler {
	return func(ctx context.Context, req Request) (resp Response, _ error) {
		start := time.Now()
		reqID := req.RequestContext.RequestID
		l := log.With("request_id", reqID, "route", req.RouteKey)
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			l = l.With("aws_request_id", lc.AwsRequestID)
		}
		ctx = logging.With(ctx, l)
		defer func() {
			if r := recover(); r != nil {
				l.Error("panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				resp = Problem(ctx, req, problem.From(fmt.Errorf("panic: %v", r)))
			}
			l.LogAttrs(ctx, levelFor(resp.StatusCode), "request",
				slog.Int("status", resp.StatusCode),
				slog.Float64("latency_ms", float64(time.Since(start).Microseconds())/1000))
		}()
		resp, err := fn(ctx, req)
		if err != nil && ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			// The caller went away (or the function ran out of time) before
			// the answer: not our fault, and nobody reads the answer.
			l.Warn("caller went away before the answer", "error", err.Error())
			err = ErrClientClosed.Wrap(err)
		}
		if err != nil {
			resp = Problem(ctx, req, err)
		}
		return resp, nil
	}
}

// ErrClientClosed answers a request whose caller left before the answer
// (status 499, as nginx names it).
var ErrClientClosed = problem.New(problem.ClientClosed, "the request was abandoned by its caller")

func levelFor(status int) slog.Level {
	if status == 499 {
		return slog.LevelWarn
	}
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

// JSON returns a response with v as its JSON body.
func JSON(status int, v any) (Response, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return Response{}, fmt.Errorf("encode response: %w", err)
	}
	return Response{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}, nil
}

// Problem renders err as an RFC 9457 problem+json response. Internal errors
// are logged with their cause; the client sees only "internal error".
func Problem(ctx context.Context, req Request, err error) Response {
	p := problem.From(err)
	if p.Code == problem.Internal {
		logging.From(ctx).Error("internal error", "error", err.Error())
	}
	d := problem.DocumentFor(p, req.RawPath)
	body, mErr := json.Marshal(d)
	if mErr != nil { // extensions that cannot be encoded: drop them
		d.Extensions = nil
		body, _ = json.Marshal(d)
	}
	headers := map[string]string{"Content-Type": problem.ContentType}
	if p.Code == problem.MethodNotAllowed {
		if allow, ok := p.Extensions["allow"].(string); ok {
			headers["Allow"] = allow
		}
	}
	return Response{StatusCode: d.Status, Headers: headers, Body: string(body)}
}

// Header returns the value of the named request header; HTTP API lowercases
// header names, and the lookup ignores case either way.
func Header(req Request, name string) string {
	if v, ok := req.Headers[strings.ToLower(name)]; ok {
		return v
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Body returns the raw request body, decoding base64 if API Gateway encoded it.
func Body(req Request) ([]byte, error) {
	if !req.IsBase64Encoded {
		return []byte(req.Body), nil
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, problem.New(problem.Invalid, "request body is not valid base64").Wrap(err)
	}
	return b, nil
}

// ErrNoSubject means the request carries no authenticated caller.
var ErrNoSubject = problem.New(problem.Unauthorized, "authentication required: no JWT subject on the request")

// Subject returns the authenticated caller: the `sub` claim API Gateway's JWT
// authorizer put in the event. Returns ErrNoSubject if there is none.
func Subject(req Request) (string, error) {
	if a := req.RequestContext.Authorizer; a != nil && a.JWT != nil {
		if sub := a.JWT.Claims["sub"]; sub != "" {
			return sub, nil
		}
	}
	return "", ErrNoSubject
}

// DecodeJSON decodes the request body into dst strictly: the content type
// must be JSON, the body at most maxBytes, unknown fields and trailing data
// are rejected. Errors are problem errors naming the field at fault.
func DecodeJSON(req Request, dst any, maxBytes int) error {
	if ct := Header(req, "Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return problem.New(problem.UnsupportedMedia, "Content-Type must be application/json")
		}
	}
	body, err := Body(req)
	if err != nil {
		return err
	}
	if len(body) > maxBytes {
		return problem.New(problem.TooLarge, fmt.Sprintf("request body is larger than %d bytes", maxBytes))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return problem.New(problem.Invalid, "request body is empty; a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return problem.New(problem.Invalid, "request body has data after the JSON object")
	}
	return nil
}

func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return problem.New(problem.Invalid, fmt.Sprintf("request body is not valid JSON (at byte %d)", syn.Offset)).Wrap(err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return problem.New(problem.Invalid, fmt.Sprintf("request body must be a JSON object, not %s", typ.Value)).Wrap(err)
		}
		return problem.Field(field, fmt.Sprintf("%s must be %s, not %s", field, jsonKind(typ.Type.Kind().String()), typ.Value)).Wrap(err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return problem.New(problem.Invalid, "request body is truncated JSON").Wrap(err)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return problem.Field(name, fmt.Sprintf("unknown field %q", name)).Wrap(err)
	}
	return problem.New(problem.Invalid, "request body could not be decoded").Wrap(err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	default:
		return "an object"
	}
}

// NotFoundRoute answers a request for which no route exists.
var NotFoundRoute = problem.New(problem.NotFound, "no such route")
