package access

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

const merchantID = "mch_abcdefghijklmnop"

func TestFromClaims(t *testing.T) {
	custom := Claims{Role: "custom:role", Merchant: "custom:merchant"}
	tests := []struct {
		name    string
		claims  map[string]string
		names   Claims
		want    Caller
		wantErr error
	}{
		{"no role claim is a shopper", map[string]string{"sub": "u1"}, Claims{}, Caller{Role: Shopper, Subject: "u1"}, nil},
		{"ops group", map[string]string{"sub": "u1", "cognito:groups": "[ops]"}, Claims{}, Caller{Role: Ops, Subject: "u1"}, nil},
		{"merchant group", map[string]string{"sub": "u1", "cognito:groups": "[merchant:" + merchantID + "]"}, Claims{}, Caller{Role: Merchant, Subject: "u1", MerchantID: merchantID}, nil},
		{"other groups are ignored", map[string]string{"sub": "u1", "cognito:groups": "[beta-testers newsletter]"}, Claims{}, Caller{Role: Shopper, Subject: "u1"}, nil},
		{"comma list", map[string]string{"sub": "u1", "cognito:groups": "beta,ops"}, Claims{}, Caller{Role: Ops, Subject: "u1"}, nil},
		{"merchant without id", map[string]string{"sub": "u1", "cognito:groups": "[merchant]"}, Claims{}, Caller{}, ErrBadRole},
		{"merchant with a malformed id", map[string]string{"sub": "u1", "cognito:groups": "[merchant:acme]"}, Claims{}, Caller{}, ErrBadRole},
		{"two roles", map[string]string{"sub": "u1", "cognito:groups": "[ops merchant:" + merchantID + "]"}, Claims{}, Caller{}, ErrBadRole},
		{"no subject", map[string]string{"cognito:groups": "[ops]"}, Claims{}, Caller{}, ErrNoSubject},
		{"custom role claim", map[string]string{"sub": "u1", "custom:role": "merchant", "custom:merchant": merchantID}, custom, Caller{Role: Merchant, Subject: "u1", MerchantID: merchantID}, nil},
		{"unknown custom role", map[string]string{"sub": "u1", "custom:role": "admin"}, custom, Caller{}, ErrBadRole},
		{"custom claims absent", map[string]string{"sub": "u1"}, custom, Caller{Role: Shopper, Subject: "u1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromClaims(tt.claims, tt.names)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("FromClaims = %+v, %v; want %+v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestGuard(t *testing.T) {
	reached := func(ctx context.Context, req apigw.Request) (apigw.Response, error) {
		c, _ := From(ctx)
		return apigw.Response{StatusCode: http.StatusOK, Body: string(c.Role)}, nil
	}
	req := func(groups string) apigw.Request {
		r := events.APIGatewayV2HTTPRequest{}
		if groups != "-" {
			claims := map[string]string{"sub": "u1"}
			if groups != "" {
				claims["cognito:groups"] = groups
			}
			r.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims}}
		}
		return r
	}
	tests := []struct {
		name   string
		roles  []Role
		groups string
		want   int
	}{
		{"public needs nothing", nil, "-", 200},
		{"shopper on a shopper route", []Role{Shopper}, "", 200},
		{"shopper on a merchant route", []Role{Merchant}, "", 403},
		{"merchant on a shopper route", []Role{Shopper}, "[merchant:" + merchantID + "]", 403},
		{"ops on an ops route", []Role{Ops}, "[ops]", 200},
		{"no token on a guarded route", []Role{Shopper}, "-", 401},
		{"malformed role", []Role{Shopper, Merchant, Ops}, "[merchant]", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := Guard(tt.roles, Claims{}, reached)(context.Background(), req(tt.groups))
			if err != nil || resp.StatusCode != tt.want {
				t.Errorf("status %d (%s), %v; want %d", resp.StatusCode, resp.Body, err, tt.want)
			}
			if tt.want >= 400 && resp.Headers["Content-Type"] != problem.ContentType {
				t.Errorf("refusal is %q, want problem+json", resp.Headers["Content-Type"])
			}
		})
	}
}
