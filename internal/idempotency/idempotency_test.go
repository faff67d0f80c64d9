package idempotency_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/idempotency"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newStore(t *testing.T) (*idempotency.Store, *clock) {
	t.Helper()
	env := awstest.Tables(t, resource.Orders)
	s := idempotency.NewStore(awstest.DynamoDB(t), env[resource.Orders.EnvVar])
	c := &clock{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	s.Now = c.Now
	return s, c
}

func TestBegin(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)

	claim, stored, err := s.Begin(ctx, "alice", "k1", "fp1")
	if err != nil || claim == nil || stored != nil {
		t.Fatalf("first Begin = %v, %v, %v; want a claim", claim, stored, err)
	}
	if _, _, err := s.Begin(ctx, "alice", "k1", "fp1"); !errors.Is(err, idempotency.ErrInProgress) {
		t.Errorf("Begin while in progress err = %v, want ErrInProgress", err)
	}
	if _, _, err := s.Begin(ctx, "alice", "k1", "other"); !errors.Is(err, idempotency.ErrKeyReused) {
		t.Errorf("Begin with another fingerprint err = %v, want ErrKeyReused", err)
	}
	if c, _, err := s.Begin(ctx, "bob", "k1", "fp1"); err != nil || c == nil {
		t.Errorf("another caller's same key = %v, %v; want its own claim", c, err)
	}

	want := idempotency.Response{StatusCode: 201, Body: `{"id":"x"}`, Headers: map[string]string{"Content-Type": "application/json"}}
	if err := s.Complete(ctx, claim, want); err != nil {
		t.Fatal(err)
	}
	_, got, err := s.Begin(ctx, "alice", "k1", "fp1")
	if err != nil || got == nil || got.StatusCode != 201 || got.Body != want.Body {
		t.Fatalf("Begin after completion = %+v, %v; want the stored response", got, err)
	}
	if _, _, err := s.Begin(ctx, "alice", "k1", "other"); !errors.Is(err, idempotency.ErrKeyReused) {
		t.Errorf("completed key with another fingerprint err = %v, want ErrKeyReused", err)
	}

	// Past the expiry the key is free again, even if TTL has not deleted it.
	clk.Advance(24*time.Hour + time.Second)
	if c, stored, err := s.Begin(ctx, "alice", "k1", "fp-new"); err != nil || c == nil || stored != nil {
		t.Errorf("Begin after expiry = %v, %v, %v; want a fresh claim", c, stored, err)
	}
}

func TestLargeAnswersAreStoredCompressedAndReplayedWhole(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	claim, _, err := s.Begin(ctx, "alice", "big", "fp")
	if err != nil {
		t.Fatal(err)
	}
	body := `{"lines":[` + strings.Repeat(`{"name":{"zh":"西湖龙井","en":"West Lake Longjing"},"quantity":1},`, 60) + `{}]}`
	if err := s.Complete(ctx, claim, idempotency.Response{StatusCode: 201, Body: body}); err != nil {
		t.Fatal(err)
	}
	_, got, err := s.Begin(ctx, "alice", "big", "fp")
	if err != nil || got == nil || got.Body != body || got.StatusCode != 201 {
		t.Fatalf("replay of a %d-byte answer: %v, %v", len(body), got != nil && got.Body == body, err)
	}
}

func TestStaleClaimIsTakenOverAndCannotComplete(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	stale, _, err := s.Begin(ctx, "alice", "k", "fp")
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(s.InProgressExpiry + time.Millisecond)
	fresh, _, err := s.Begin(ctx, "alice", "k", "fp")
	if err != nil || fresh == nil {
		t.Fatalf("takeover = %v, %v; want a claim", fresh, err)
	}
	if err := s.Complete(ctx, stale, idempotency.Response{StatusCode: 200}); !errors.Is(err, idempotency.ErrClaimLost) {
		t.Errorf("stale Complete err = %v, want ErrClaimLost", err)
	}
	// Release by the stale claimant leaves the new claim alone.
	if err := s.Release(ctx, stale); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Begin(ctx, "alice", "k", "fp"); !errors.Is(err, idempotency.ErrInProgress) {
		t.Errorf("after stale release err = %v, want ErrInProgress (the fresh claim holds)", err)
	}
	if err := s.Complete(ctx, fresh, idempotency.Response{StatusCode: 200, Body: "ok"}); err != nil {
		t.Errorf("fresh Complete: %v", err)
	}
}

func request(key, sub, body string) apigw.Request {
	r := events.APIGatewayV2HTTPRequest{
		RouteKey: "POST /things", RawPath: "/things", Body: body,
		Headers: map[string]string{"content-type": "application/json"},
	}
	r.RequestContext.HTTP.Method = http.MethodPost
	r.RequestContext.RequestID = "req"
	if key != "" {
		r.Headers["idempotency-key"] = key
	}
	if sub != "" {
		r.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": sub}},
		}
	}
	return r
}

func TestRequire(t *testing.T) {
	s, _ := newStore(t)
	var runs atomic.Int64
	status := http.StatusCreated
	h := apigw.Wrap(logging.New(new(strings.Builder), "error"), s.Require(func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		n := runs.Add(1)
		if status == http.StatusInternalServerError {
			return apigw.Response{}, errors.New("boom")
		}
		return apigw.JSON(status, map[string]int64{"run": n})
	}))
	ctx := context.Background()
	call := func(key, sub, body string) apigw.Response {
		t.Helper()
		resp, err := h(ctx, request(key, sub, body))
		if err != nil {
			t.Fatalf("handler returned a Go error: %v", err)
		}
		return resp
	}

	tests := []struct {
		name       string
		key, body  string
		wantStatus int
		wantRuns   int64
		wantBody   string
	}{
		{"missing key is 400", "", `{}`, 400, 0, "Idempotency-Key"},
		{"over-long key is 400", strings.Repeat("k", 256), `{}`, 400, 0, "Idempotency-Key"},
		{"first request runs", "a", `{"x":1}`, 201, 1, `{"run":1}`},
		{"retry replays", "a", `{"x":1}`, 201, 1, `{"run":1}`},
		{"other body is 422", "a", `{"x":2}`, 422, 1, "different request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := call(tt.key, "alice", tt.body)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d (%s)", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if got := runs.Load(); got != tt.wantRuns {
				t.Errorf("handler ran %d times, want %d", got, tt.wantRuns)
			}
			if !strings.Contains(resp.Body, tt.wantBody) {
				t.Errorf("body %s does not contain %q", resp.Body, tt.wantBody)
			}
			if resp.StatusCode >= 400 && resp.Headers["Content-Type"] != problem.ContentType {
				t.Errorf("content type %q, want problem+json", resp.Headers["Content-Type"])
			}
		})
	}
	if r := call("a", "alice", `{"x":1}`); r.Headers[idempotency.ReplayedHeader] != "true" {
		t.Errorf("replayed response lacks %s header: %v", idempotency.ReplayedHeader, r.Headers)
	}

	// A failure releases the key: the retry runs again.
	status = http.StatusInternalServerError
	before := runs.Load()
	if r := call("b", "alice", `{}`); r.StatusCode != 500 {
		t.Fatalf("failing handler status = %d", r.StatusCode)
	}
	status = http.StatusCreated
	if r := call("b", "alice", `{}`); r.StatusCode != 201 || runs.Load() != before+2 {
		t.Errorf("retry after failure: status %d, runs %d; want 201 and a second run", r.StatusCode, runs.Load()-before)
	}
}

func TestRequireUnderRace(t *testing.T) {
	s, _ := newStore(t)
	var runs atomic.Int64
	release := make(chan struct{})
	h := apigw.Wrap(logging.New(new(strings.Builder), "error"), s.Require(func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		runs.Add(1)
		<-release
		return apigw.JSON(201, map[string]string{"id": "only"})
	}))
	const n = 20
	var wg sync.WaitGroup
	results := make([]apigw.Response, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = h(context.Background(), request("race", "alice", `{"x":1}`))
		}()
	}
	// Let every racer reach the store before the winner finishes.
	deadline := time.Now().Add(10 * time.Second)
	for runs.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	close(release)
	wg.Wait()

	counts := map[int]int{}
	for _, r := range results {
		counts[r.StatusCode]++
		if r.StatusCode == 201 && r.Body != `{"id":"only"}` {
			t.Errorf("201 with body %s", r.Body)
		}
	}
	if runs.Load() != 1 {
		t.Errorf("handler ran %d times, want 1", runs.Load())
	}
	if counts[201]+counts[409] != n || counts[201] < 1 {
		t.Errorf("statuses %v, want only 201 and 409", counts)
	}
	after, _ := h(context.Background(), request("race", "alice", `{"x":1}`))
	if after.StatusCode != 201 || after.Body != `{"id":"only"}` {
		t.Errorf("retry after the race = %d %s, want the one answer", after.StatusCode, after.Body)
	}
}

// resentPut is the client sending a put a second time after the first,
// which the table applied, lost its answer on the way back (the SDK's
// retry does that).
type resentPut struct {
	idempotency.DynamoDB
	resent bool
}

func (r *resentPut) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if !r.resent {
		r.resent = true
		if _, err := r.DynamoDB.PutItem(ctx, in, optFns...); err != nil {
			return nil, err
		}
	}
	return r.DynamoDB.PutItem(ctx, in, optFns...)
}

// A claim whose put was sent twice (the first answer lost) is still the
// caller's: not "in progress" behind itself.
func TestClaimSentTwiceIsStillOurs(t *testing.T) {
	ctx := context.Background()
	env := awstest.Tables(t, resource.Orders)
	db := &resentPut{DynamoDB: awstest.DynamoDB(t)}
	s := idempotency.NewStore(db, env[resource.Orders.EnvVar])
	c, prev, err := s.Begin(ctx, "alice", "k-1", "fp")
	if err != nil || c == nil || prev != nil || !db.resent {
		t.Fatalf("Begin after a resent put = %v, %v, %v; want our claim", c, prev, err)
	}
	if err := s.Complete(ctx, c, idempotency.Response{StatusCode: 201, Body: "{}"}); err != nil {
		t.Fatalf("completing the claim: %v", err)
	}
	if _, _, err := idempotency.NewStore(awstest.DynamoDB(t), env[resource.Orders.EnvVar]).Begin(ctx, "alice", "k-1", "other"); !errors.Is(err, idempotency.ErrKeyReused) {
		t.Errorf("another request on the key: %v", err)
	}
}
