// Package devauth issues and checks the development tokens that stand in for
// a real identity provider under `make run`: HS256 JWTs signed with a local
// secret. The local gateway checks them as API Gateway's JWT authorizer
// would and passes their claims to the same handler code that runs in AWS.
// Nothing here is used in a deployed stage.
package devauth

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer and Audience of development tokens.
const (
	Issuer   = "jiaoyi-local"
	Audience = "jiaoyi"
)

// DefaultSecret signs development tokens unless JIAOYI_DEV_JWT_SECRET is set.
const DefaultSecret = "jiaoyi-local-development-only"

// Token returns a development token for subject, valid for ttl: a
// shopper's, or with groups (Cognito's "ops", "merchant:<id>") staff's.
func Token(secret, subject string, ttl time.Duration, now time.Time, groups ...string) (string, error) {
	if subject == "" {
		return "", errors.New("devauth: subject required")
	}
	c := claims{RegisteredClaims: jwt.RegisteredClaims{
		Subject: subject, Issuer: Issuer, Audience: jwt.ClaimStrings{Audience},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}, Groups: groups}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(secret))
}

// GroupsClaim is the claim carrying groups, as Cognito names it.
const GroupsClaim = "cognito:groups"

type claims struct {
	jwt.RegisteredClaims
	Groups []string `json:"cognito:groups,omitempty"`
}

// Authenticator checks the request's bearer token and returns its claims as
// API Gateway passes them to a function: strings by claim name.
func Authenticator(secret string) func(r *http.Request) (map[string]string, error) {
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer), jwt.WithAudience(Audience), jwt.WithExpirationRequired(),
	)
	return func(r *http.Request) (map[string]string, error) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || raw == "" {
			return nil, errors.New("devauth: no bearer token")
		}
		var c claims
		if _, err := parser.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return []byte(secret), nil }); err != nil {
			return nil, fmt.Errorf("devauth: %w", err)
		}
		if c.Subject == "" {
			return nil, errors.New("devauth: token has no sub")
		}
		claims := map[string]string{"sub": c.Subject, "iss": c.Issuer, "aud": strings.Join(c.Audience, ",")}
		if len(c.Groups) > 0 {
			// API Gateway passes a list claim as "[a b]".
			claims[GroupsClaim] = "[" + strings.Join(c.Groups, " ") + "]"
		}
		if c.ExpiresAt != nil {
			claims["exp"] = strconv.FormatInt(c.ExpiresAt.Unix(), 10)
		}
		if c.IssuedAt != nil {
			claims["iat"] = strconv.FormatInt(c.IssuedAt.Unix(), 10)
		}
		return claims, nil
	}
}
