// Package localgw is a local stand-in for API Gateway HTTP API: it turns
// each HTTP request into the payload 2.0 event AWS would send, calls the
// route's real handler, and writes its response back. `make run` serves the
// route table through it.
package localgw

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// MaxBody is API Gateway's payload limit.
const MaxBody = 10 << 20

// Route is a route to serve: its key and handler, and whether it needs a
// token.
type Route struct {
	Method, Path string
	Handler      apigw.Handler
	NeedsAuth    bool
}

// Authenticator checks a request's bearer token and returns its JWT claims,
// standing in for API Gateway's JWT authorizer.
type Authenticator func(r *http.Request) (map[string]string, error)

// Gateway serves routes as API Gateway would.
type Gateway struct {
	mux  *http.ServeMux
	log  *slog.Logger
	auth Authenticator
}

// New returns a Gateway for routes. auth may be nil if no route needs it.
func New(log *slog.Logger, auth Authenticator, routes []Route) (*Gateway, error) {
	g := &Gateway{mux: http.NewServeMux(), log: log, auth: auth}
	for _, r := range routes {
		if r.NeedsAuth && auth == nil {
			return nil, fmt.Errorf("localgw: route %s %s needs an authenticator", r.Method, r.Path)
		}
		g.mux.Handle(r.Method+" "+r.Path, g.serve(r))
	}
	// A known path with another method: 405 naming the allowed methods
	// (found by asking the mux for each method, since path-only fallback
	// patterns would conflict with routes like GET /products/suggest beside
	// GET /products/{id}); anything else: 404.
	g.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		var methods []string
		for _, m := range []string{http.MethodDelete, http.MethodGet, http.MethodPatch, http.MethodPost, http.MethodPut} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := g.mux.Handler(probe); pattern != "/" && pattern != "" {
				methods = append(methods, m)
			}
		}
		if len(methods) == 0 {
			g.writeProblem(w, r, apigw.NotFoundRoute)
			return
		}
		allow := strings.Join(methods, ", ")
		g.writeProblem(w, r, problem.New(problem.MethodNotAllowed, "method "+r.Method+" is not allowed here; allowed: "+allow).
			With(map[string]any{"allow": allow}))
	})
	return g, nil
}

// ServeHTTP implements http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.mux.ServeHTTP(w, r) }

func (g *Gateway) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	resp := apigw.Problem(r.Context(), apigw.Request{RawPath: r.URL.Path}, err)
	write(w, resp)
	g.log.Info("request", "method", r.Method, "path", r.URL.Path, "route", "(none)", "status", resp.StatusCode)
}

func (g *Gateway) serve(rt Route) http.Handler {
	routeKey := rt.Method + " " + rt.Path
	params := paramNames(rt.Path)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		status := 0
		defer func() {
			// The handler logs its own request line (route, status, latency)
			// as it does in Lambda; this one adds the gateway's view.
			g.log.Debug("gateway", "method", r.Method, "path", r.URL.Path, "route", routeKey,
				"status", status, "latency_ms", float64(time.Since(start).Microseconds())/1000)
		}()
		ev, err := Event(r, routeKey, params)
		if err != nil {
			resp := apigw.Problem(r.Context(), apigw.Request{RawPath: r.URL.Path}, err)
			status = resp.StatusCode
			write(w, resp)
			return
		}
		if rt.NeedsAuth {
			claims, err := g.auth(r)
			if err != nil {
				resp := apigw.Problem(r.Context(), ev, problem.New(problem.Unauthorized, "a valid bearer token is required").Wrap(err))
				resp.Headers["WWW-Authenticate"] = `Bearer realm="jiaoyi"`
				status = resp.StatusCode
				write(w, resp)
				return
			}
			ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
			}
		}
		resp, err := rt.Handler(r.Context(), ev)
		if err != nil || resp.StatusCode == 0 {
			// What API Gateway does when the function fails.
			g.log.Error("handler failed", "route", routeKey, "error", err)
			resp = apigw.Response{StatusCode: http.StatusInternalServerError,
				Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"message":"Internal Server Error"}`}
		}
		status = resp.StatusCode
		write(w, resp)
	})
}

// Event builds the API Gateway HTTP API payload 2.0 event for r matched to
// routeKey, with the named path parameters.
func Event(r *http.Request, routeKey string, params []string) (apigw.Request, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apigw.Request{}, problem.New(problem.TooLarge, fmt.Sprintf("request body is larger than %d bytes", MaxBody))
		}
		return apigw.Request{}, problem.New(problem.Invalid, "request body could not be read").Wrap(err)
	}
	headers := map[string]string{}
	for k, v := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	if r.Host != "" {
		headers["host"] = r.Host
	}
	var cookies []string
	for _, c := range r.Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	delete(headers, "cookie")
	var query map[string]string
	if q := r.URL.Query(); len(q) > 0 {
		query = map[string]string{}
		for k, v := range q {
			query[k] = strings.Join(v, ",")
		}
	}
	var pathParams map[string]string
	for _, p := range params {
		if pathParams == nil {
			pathParams = map[string]string{}
		}
		pathParams[p] = r.PathValue(p)
	}
	now := time.Now().UTC()
	sourceIP, _, _ := net.SplitHostPort(r.RemoteAddr)
	ev := apigw.Request{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        pathParams,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    "000000000000",
			Stage:        "$default",
			RequestID:    requestID(),
			APIID:        "local",
			DomainName:   r.Host,
			DomainPrefix: "local",
			Time:         now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto,
				SourceIP: sourceIP, UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev, nil
}

// isText mirrors API Gateway: text and JSON bodies arrive as they are,
// everything else base64-encoded.
func isText(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return strings.HasPrefix(mt, "text/") || mt == "application/json" || strings.HasSuffix(mt, "+json") ||
		mt == "application/x-www-form-urlencoded" || mt == "application/xml"
}

func write(w http.ResponseWriter, resp apigw.Response) {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if b, err := base64.StdEncoding.DecodeString(resp.Body); err == nil {
			body = b
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}

// paramNames returns the {names} in an API Gateway path template.
func paramNames(path string) []string {
	var names []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			names = append(names, strings.TrimSuffix(strings.Trim(seg, "{}"), "+"))
		}
	}
	return names
}

func requestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Serve runs srv on ln until ctx ends, then shuts it down gracefully.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
