package idempotency

import (
	"context"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
)

// ReplayedHeader marks a response replayed from an earlier request.
const ReplayedHeader = "Idempotent-Replayed"

type claimKey struct{}

// claimState is the claim carried to the handler, with whether the handler
// completed it inside its own transaction.
type claimState struct {
	claim     *Claim
	completed bool
}

// ClaimFrom returns the request's claim, for a handler that completes it in
// its own transaction with CompleteItem. After that transaction commits the
// handler must call Completed(ctx).
func ClaimFrom(ctx context.Context) (*Claim, bool) {
	st, ok := ctx.Value(claimKey{}).(*claimState)
	if !ok {
		return nil, false
	}
	return st.claim, true
}

// Completed records that the handler stored its answer itself (see ClaimFrom).
func Completed(ctx context.Context) {
	if st, ok := ctx.Value(claimKey{}).(*claimState); ok {
		st.completed = true
	}
}

// Require wraps next so that it runs at most once per Idempotency-Key and
// caller; see Do.
func (s *Store) Require(next apigw.Handler) apigw.Handler {
	return func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		return s.Do(ctx, req, next)
	}
}

// Do runs next for req at most once per Idempotency-Key and caller (the JWT
// subject; "anonymous" without one). The request's method, path and body
// make its fingerprint. A 2xx answer is stored and replayed; any other
// answer releases the key, so a corrected or later retry runs again and a
// rejected request leaves nothing behind. Handlers validate their input
// before calling Do, so malformed requests write nothing at all.
func (s *Store) Do(ctx context.Context, req apigw.Request, next apigw.Handler) (resp apigw.Response, err error) {
	key := apigw.Header(req, Header)
	if key == "" {
		return apigw.Response{}, ErrKeyMissing
	}
	if !ValidKey(key) {
		return apigw.Response{}, ErrKeyInvalid
	}
	scope, subErr := apigw.Subject(req)
	if subErr != nil {
		scope = "anonymous"
	}
	body, err := apigw.Body(req)
	if err != nil {
		return apigw.Response{}, err
	}
	fp := Fingerprint([]byte(req.RequestContext.HTTP.Method), []byte(req.RawPath), body)
	claim, stored, err := s.Begin(ctx, scope, key, fp)
	if err != nil {
		return apigw.Response{}, err
	}
	if stored != nil {
		return replay(*stored), nil
	}

	st := &claimState{claim: claim}
	ctx = context.WithValue(ctx, claimKey{}, st)
	log := logging.From(ctx)
	defer func() {
		if r := recover(); r != nil {
			if rerr := s.Release(context.WithoutCancel(ctx), claim); rerr != nil {
				log.Error("release idempotency key after panic", "error", rerr)
			}
			panic(r)
		}
	}()
	resp, err = next(ctx, req)
	if st.completed {
		return resp, err
	}
	if err != nil {
		resp = apigw.Problem(ctx, req, err)
		err = nil
	}
	if !storable(resp.StatusCode) {
		if rerr := s.Release(context.WithoutCancel(ctx), claim); rerr != nil {
			log.Error("release idempotency key", "error", rerr)
		}
		return resp, nil
	}
	if cerr := s.Complete(context.WithoutCancel(ctx), claim, Response{StatusCode: resp.StatusCode, Headers: resp.Headers, Body: resp.Body}); cerr != nil {
		// The work is done; the answer is still right for this caller.
		log.Error("store idempotent response", "error", cerr)
	}
	return resp, nil
}

func storable(status int) bool { return status >= 200 && status < 300 }

func replay(r Response) apigw.Response {
	h := make(map[string]string, len(r.Headers)+1)
	for k, v := range r.Headers {
		h[k] = v
	}
	h[ReplayedHeader] = "true"
	return apigw.Response{StatusCode: r.StatusCode, Headers: h, Body: r.Body}
}
