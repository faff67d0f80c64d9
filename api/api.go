// Package api holds jiaoyi's HTTP contract, api/openapi.yaml, and checks
// handler requests and responses against it, so the contract cannot drift
// from the code.
package api

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Spec is the OpenAPI document.
//
//go:embed openapi.yaml
var Spec []byte

var (
	loadOnce sync.Once
	doc      *openapi3.T
	router   routers.Router
	loadErr  error
)

// Load parses and validates the spec once.
func Load() (*openapi3.T, routers.Router, error) {
	loadOnce.Do(func() {
		l := openapi3.NewLoader()
		doc, loadErr = l.LoadFromData(Spec)
		if loadErr != nil {
			return
		}
		if loadErr = doc.Validate(context.Background()); loadErr != nil {
			return
		}
		router, loadErr = gorillamux.NewRouter(doc)
	})
	return doc, router, loadErr
}

// Check validates an API Gateway request and the handler's response against
// the spec: the route and operation must exist, the request must satisfy
// it, and the response's status, content type and body must be documented.
func Check(req events.APIGatewayV2HTTPRequest, resp events.APIGatewayV2HTTPResponse) error {
	_, r, err := Load()
	if err != nil {
		return fmt.Errorf("openapi: %w", err)
	}
	u := &url.URL{Scheme: "http", Host: "localhost:8080", Path: req.RawPath, RawQuery: req.RawQueryString}
	body := req.Body
	hreq, err := http.NewRequest(req.RequestContext.HTTP.Method, u.String(), strings.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range req.Headers {
		hreq.Header.Set(k, v)
	}
	route, params, err := r.FindRoute(hreq)
	if err != nil {
		return fmt.Errorf("openapi: %s %s: %w", hreq.Method, req.RawPath, err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: hreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	// Requests that the handler rightly rejected need not match the schema;
	// the response must document that rejection instead.
	if resp.StatusCode < 400 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			return fmt.Errorf("openapi: request: %w", err)
		}
	}
	h := http.Header{}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 h,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	out.SetBodyBytes([]byte(resp.Body))
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return fmt.Errorf("openapi: response %d: %w", resp.StatusCode, err)
	}
	return nil
}

// Routes returns every "METHOD /path" the spec documents.
func Routes() ([]string, error) {
	d, _, err := Load()
	if err != nil {
		return nil, err
	}
	var out []string
	for path, item := range d.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	return out, nil
}
