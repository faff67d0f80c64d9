// Package config reads a function's typed configuration from the environment
// and builds its AWS SDK configuration.
//
// Each function declares the struct it needs with `env` tags (parsed by
// github.com/caarlos0/env) and calls Load at cold start; a missing or bad
// variable stops the function at once with a message naming it.
package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/caarlos0/env/v11"
)

// Load parses the process environment into a T.
func Load[T any]() (T, error) {
	var cfg T
	if err := env.Parse(&cfg); err != nil {
		return cfg, explain[T](err)
	}
	return cfg, nil
}

// LoadFrom parses environ (variable → value) into a T, ignoring the process
// environment; tests and the local runner use it.
func LoadFrom[T any](environ map[string]string) (T, error) {
	var cfg T
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: environ}); err != nil {
		return cfg, explain[T](err)
	}
	return cfg, nil
}

// explain rewrites parse errors to name the environment variable, not the Go
// field, since the variable is what an operator fixes.
func explain[T any](err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("config: %w", err)
	}
	msgs := make([]string, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := reflect.TypeFor[T]().FieldByName(pe.Name); ok {
				name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
				msgs = append(msgs, fmt.Sprintf("%s: cannot parse as %s: %v", name, pe.Type, pe.Err))
				continue
			}
		}
		msgs = append(msgs, e.Error())
	}
	return fmt.Errorf("config: %s: %w", strings.Join(msgs, "; "), err)
}

// AWS loads the SDK configuration the standard way: region, credentials and
// AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_DYNAMODB, …_SQS) from the
// environment, so the same binary talks to AWS, LocalStack or the emulator.
// The region defaults to us-east-1 when none is set.
//
// Idle connections are kept for up to 256 concurrent calls per host (the
// SDK keeps 10): one Lambda invocation never needs more, but the local
// platform serves every function from one process, and past the pool each
// call under load opened a new connection (and the emulator a new thread).
//
// Small request bodies go to the transport as a copy (DetachBodies).
func AWS(ctx context.Context) (aws.Config, error) {
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 256
		})),
	}
	if os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
		opts = append(opts, awsconfig.WithRegion("us-east-1"))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("config: load aws config: %w", err)
	}
	cfg.HTTPClient = DetachBodies(cfg.HTTPClient)
	return cfg, nil
}

// maxDetached is the largest request body detachedBodies copies (every
// DynamoDB and SQS request is far smaller; snapshot uploads are larger).
const maxDetached = 1 << 20

// detachedBodies hands the HTTP transport its own copy of each small
// request body. net/http's write loop and the SDK otherwise share the
// body stream, and when the server answers the moment the last byte
// arrives (the emulator on loopback, under load) the write loop can fail
// on it after the response has come and close the connection under the
// response being read: "deserialization failed … use of closed network
// connection" (aws/aws-sdk-go-v2#2737). The SDK retries that, and a
// retried write that had committed (a transaction, a conditional put)
// then fails its own condition. With a copy nothing else touches, under
// four parallel test runs such retries went from 2–4 in 60 runs to none
// in 160. Written by hand: the SDK has no option for it.
type detachedBodies struct{ next aws.HTTPClient }

// DetachBodies wraps an SDK HTTP client so that small request bodies go to
// the transport as a copy (see detachedBodies); every SDK configuration,
// the tests' included, should use it.
func DetachBodies(next aws.HTTPClient) aws.HTTPClient { return detachedBodies{next} }

// Do sends req with a copy of its body when it is small.
func (c detachedBodies) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength <= 0 || req.ContentLength > maxDetached {
		return c.next.Do(req)
	}
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("config: read request body: %w", err)
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(b))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	out.ContentLength = int64(len(b))
	return c.next.Do(out)
}
