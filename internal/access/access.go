// Package access says who is calling and what they may call. Callers are
// shoppers, merchant staff (of one merchant) and operators; the JWT
// authorizer's claims say which (Cognito groups "ops" and
// "merchant:<id>" by default, or configurable claim names for another
// issuer). Each route declares its roles in internal/routes, and Guard
// enforces them before any handler runs; handlers scope what they show
// with the Caller it puts in the context.
package access

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Role is a kind of caller.
type Role string

// The roles.
const (
	Shopper  Role = "shopper"
	Merchant Role = "merchant"
	Ops      Role = "ops"
)

// MerchantPrefix is the id prefix of merchants.
const MerchantPrefix = "mch"

// Caller is who is calling.
type Caller struct {
	Role    Role
	Subject string
	// MerchantID is the merchant a Merchant caller works for.
	MerchantID string
}

// Claims names the token claims that carry a caller's role. The zero
// value reads Cognito's groups claim.
type Claims struct {
	// Groups is a claim listing groups: "ops" and "merchant:<id>" are roles.
	Groups string `env:"JIAOYI_CLAIM_GROUPS" envDefault:"cognito:groups"`
	// Role and Merchant, if set, are claims carrying the role
	// ("shopper", "merchant", "ops") and the merchant id directly.
	Role     string `env:"JIAOYI_CLAIM_ROLE"`
	Merchant string `env:"JIAOYI_CLAIM_MERCHANT"`
}

// Errors of identification.
var (
	ErrNoSubject = problem.New(problem.Unauthorized, "the token has no subject")
	ErrBadRole   = problem.New(problem.Forbidden, "the token's role is not one this API knows")
	ErrForbidden = problem.New(problem.Forbidden, "this route is not open to the caller's role")
)

// FromClaims reads the caller from a token's claims, as API Gateway passes
// them (arrays as "[a b]"). A token without role claims is a shopper's;
// an unknown role, a merchant role without a well-formed merchant id, or
// several conflicting roles is ErrBadRole.
func FromClaims(claims map[string]string, names Claims) (Caller, error) {
	c := Caller{Role: Shopper, Subject: claims["sub"]}
	if c.Subject == "" {
		return Caller{}, ErrNoSubject
	}
	if names.Groups == "" && names.Role == "" {
		names.Groups = "cognito:groups"
	}
	var roles []Caller
	if names.Role != "" {
		if v, ok := claims[names.Role]; ok {
			r := Caller{Role: Role(strings.TrimSpace(v)), Subject: c.Subject}
			if names.Merchant != "" {
				r.MerchantID = strings.TrimSpace(claims[names.Merchant])
			}
			roles = append(roles, r)
		}
	}
	if names.Groups != "" {
		for _, g := range splitList(claims[names.Groups]) {
			switch {
			case g == "ops":
				roles = append(roles, Caller{Role: Ops, Subject: c.Subject})
			case g == "merchant" || strings.HasPrefix(g, "merchant:"):
				roles = append(roles, Caller{Role: Merchant, Subject: c.Subject, MerchantID: strings.TrimPrefix(strings.TrimPrefix(g, "merchant"), ":")})
			case g == "shopper":
				roles = append(roles, c)
			}
		}
	}
	if len(roles) == 0 {
		return c, nil
	}
	for _, r := range roles[1:] {
		if r != roles[0] {
			return Caller{}, ErrBadRole.With(map[string]any{"detail": "the token carries more than one role"})
		}
	}
	r := roles[0]
	switch r.Role {
	case Shopper, Ops:
		r.MerchantID = ""
		return r, nil
	case Merchant:
		if !id.Valid(MerchantPrefix, r.MerchantID) {
			return Caller{}, ErrBadRole.With(map[string]any{"detail": "a merchant role needs a merchant id (merchant:mch_…)"})
		}
		return r, nil
	}
	return Caller{}, ErrBadRole
}

// splitList reads a claim that lists values: "[a b]", "a,b" or "a".
func splitList(v string) []string {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "["), "]"))
	return strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
}

type callerKey struct{}

// From returns the caller Guard identified; ok is false on public routes.
func From(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

// With returns ctx carrying c (Guard does this; tests may too).
func With(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// Guard enforces roles before next runs: no roles means a public route;
// otherwise the caller must be identified (401) and hold one of roles
// (403), and next finds the Caller in its context.
func Guard(roles []Role, names Claims, next apigw.Handler) apigw.Handler {
	if len(roles) == 0 {
		return next
	}
	return func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		c, err := FromClaims(claimsOf(req), names)
		if err == nil && !slices.Contains(roles, c.Role) {
			err = ErrForbidden.With(map[string]any{"role": c.Role, "allowed": roles})
		}
		if err != nil {
			return apigw.Problem(ctx, req, err), nil
		}
		return next(With(ctx, c), req)
	}
}

func claimsOf(req apigw.Request) map[string]string {
	if a := req.RequestContext.Authorizer; a != nil && a.JWT != nil {
		return a.JWT.Claims
	}
	return nil
}

// Require returns the caller of a guarded route: ErrNoSubject if none.
func Require(ctx context.Context) (Caller, error) {
	c, ok := From(ctx)
	if !ok {
		return Caller{}, ErrNoSubject
	}
	return c, nil
}

// String is the caller for logs and idempotency scopes.
func (c Caller) String() string {
	if c.Role == Merchant {
		return fmt.Sprintf("merchant:%s:%s", c.MerchantID, c.Subject)
	}
	return string(c.Role) + ":" + c.Subject
}
