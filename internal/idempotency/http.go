package idempotency

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
)

// ReplayedHeader marks a response replayed from an earlier request.
const ReplayedHeader = "Idempotent-Replayed"

// Completer builds the write that stores resp as the answer to the
// claimed key, for a handler that commits it in its own TransactWriteItems
// together with its work, so the answer is stored if and only if the work
// is. A failure of that write's condition means ErrClaimLost.
type Completer func(resp Response) (types.TransactWriteItem, error)

// TxHandler is a handler that may store its own answer: it reports
// stored = true when its transaction included the Completer's write.
type TxHandler func(ctx context.Context, req apigw.Request, complete Completer) (resp apigw.Response, stored bool, err error)

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
func (s *Store) Do(ctx context.Context, req apigw.Request, next apigw.Handler) (apigw.Response, error) {
	return s.DoTx(ctx, req, func(ctx context.Context, req apigw.Request, _ Completer) (apigw.Response, bool, error) {
		resp, err := next(ctx, req)
		return resp, false, err
	})
}

// DoTx is Do for a handler that stores its answer in its own transaction
// (see Completer); when it reports stored, DoTx stores nothing more.
func (s *Store) DoTx(ctx context.Context, req apigw.Request, next TxHandler) (resp apigw.Response, err error) {
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
	claim, previous, err := s.Begin(ctx, scope, key, fp)
	if err != nil {
		return apigw.Response{}, err
	}
	if previous != nil {
		return replay(*previous), nil
	}

	log := logging.From(ctx)
	defer func() {
		if r := recover(); r != nil {
			if rerr := s.Release(context.WithoutCancel(ctx), claim); rerr != nil {
				log.Error("release idempotency key after panic", "error", rerr)
			}
			panic(r)
		}
	}()
	complete := func(r Response) (types.TransactWriteItem, error) { return s.CompleteItem(claim, r) }
	resp, stored, err := next(ctx, req, complete)
	if stored {
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
