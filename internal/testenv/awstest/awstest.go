// Package awstest connects tests to the AWS emulator over real HTTP with the
// real SDK. With AWS_ENDPOINT_URL set (as `make test` and `make
// localstack-test` do) it uses that endpoint; otherwise it starts the
// emulator once per test binary, so `go test ./internal/...` works from an
// editor. If the emulator cannot start the test fails, saying why and how to
// fix it: it never skips.
//
// Test packages run in parallel against one emulator, so every test gets its
// own tables under a unique name prefix.
package awstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/emulator"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
)

var (
	once     sync.Once
	endpoint string
	startErr error
)

// Endpoint returns the emulator's URL, starting it if needed.
func Endpoint(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		if e := os.Getenv("AWS_ENDPOINT_URL"); e != "" {
			endpoint = e
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		// The emulator lives until this test binary exits (it watches stdin).
		em, err := emulator.Start(ctx, emulator.Options{})
		if err != nil {
			startErr = err
			return
		}
		endpoint = em.Endpoint
	})
	if startErr != nil {
		t.Fatalf("AWS emulator unavailable: %v", startErr)
	}
	return endpoint
}

// Config returns an SDK configuration for the emulator.
func Config(t testing.TB) aws.Config {
	t.Helper()
	ep := Endpoint(t)
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = emulator.Region
	}
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRegion(region),
		awsconfig.WithBaseEndpoint(ep),
	}
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(emulator.AccessKeyID, emulator.SecretAccessKey, "")))
	}
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		t.Fatalf("aws config: %v", err)
	}
	cfg.HTTPClient = config.DetachBodies(cfg.HTTPClient)
	return cfg
}

// DynamoDB returns a client for the emulator.
func DynamoDB(t testing.TB) *dynamodb.Client {
	t.Helper()
	return dynamodb.NewFromConfig(Config(t))
}

// SQS returns a client for the emulator.
func SQS(t testing.TB) *sqs.Client {
	t.Helper()
	return sqs.NewFromConfig(Config(t))
}

// S3 returns a client for the emulator, which serves buckets by path.
func S3(t testing.TB) *s3.Client {
	t.Helper()
	return s3.NewFromConfig(Config(t), func(o *s3.Options) {
		o.UsePathStyle, o.DisableLogOutputChecksumValidationSkipped = true, true
	})
}

// Prefix returns a name prefix unique to this test.
func Prefix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, t.Name())
	if len(name) > 40 {
		name = name[:40]
	}
	return "t-" + name + "-" + hex.EncodeToString(b) + "-"
}

// Tables creates the given tables (all of them if none are given) under a
// prefix unique to this test, and returns their environment: variable →
// physical name.
func Tables(t testing.TB, tables ...resource.Table) provision.Env {
	t.Helper()
	if len(tables) == 0 {
		tables = resource.Tables()
	}
	env, err := provision.Tables(context.Background(), DynamoDB(t), Prefix(t), tables...)
	if err != nil {
		t.Fatalf("provision tables: %v", err)
	}
	return env
}

// Queues creates every queue and topic (with its subscriptions) under a
// prefix unique to this test and returns their environment: variable →
// URL or ARN.
func Queues(t testing.TB) provision.Env {
	t.Helper()
	client := SQS(t)
	prefix := Prefix(t)
	env := provision.Env{}
	for _, q := range resource.Queues() {
		url, dlq, err := provision.Queue(context.Background(), client, q, prefix)
		if err != nil {
			t.Fatalf("provision queue %s: %v", q.Name, err)
		}
		env[q.EnvVar] = url
		env[q.DeadLetterEnvVar()] = dlq
	}
	topics, err := provision.Topics(context.Background(), sns.NewFromConfig(Config(t)), client, prefix, env)
	if err != nil {
		t.Fatalf("provision topics: %v", err)
	}
	for k, v := range topics {
		env[k] = v
	}
	return env
}

// FunctionEnv creates every table and queue under a prefix unique to this
// test and sets the process environment a function's constructor reads:
// the emulator endpoint, region, credentials and every table and queue
// variable. Tests that use it cannot run in parallel (t.Setenv).
func FunctionEnv(t *testing.T) provision.Env {
	t.Helper()
	env := Tables(t)
	for k, v := range Queues(t) {
		env[k] = v
	}
	buckets, err := provision.Buckets(context.Background(), Config(t), Prefix(t))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range buckets {
		env[k] = v
	}
	t.Setenv("AWS_ENDPOINT_URL", Endpoint(t))
	if os.Getenv("AWS_REGION") == "" {
		t.Setenv("AWS_REGION", emulator.Region)
	}
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		t.Setenv("AWS_ACCESS_KEY_ID", emulator.AccessKeyID)
		t.Setenv("AWS_SECRET_ACCESS_KEY", emulator.SecretAccessKey)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	return env
}
