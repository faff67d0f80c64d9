// Package psp picks the payment provider adapter a function uses, from its
// configuration.
package psp

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/stripe"
	"github.com/jiaoyi-dev/jiaoyi/internal/secrets"
)

// Config selects and configures the provider. In AWS the Stripe key comes
// from Secrets Manager through the function's environment; it is never in
// code and never logged.
type Config struct {
	Provider string `env:"JIAOYI_PAYMENT_PROVIDER" envDefault:"sandbox"`
	// APISecretID names the Secrets Manager secret holding the Stripe key
	// (in AWS); locally STRIPE_API_KEY.
	APISecretID   string         `env:"JIAOYI_SECRET_PAYMENT_API"`
	StripeAPIKey  logging.Secret `env:"STRIPE_API_KEY"`
	StripeAPIBase string         `env:"STRIPE_API_BASE"`
	// StripeTimeout bounds one call to Stripe, below the shortest calling
	// function's timeout (10 s) so a slow answer is a retry, not a kill.
	StripeTimeout time.Duration `env:"STRIPE_TIMEOUT" envDefault:"6s"`
}

// New returns the configured provider; the sandbox keeps its intents in
// paymentsTable.
func New(cfg Config, db sandbox.DynamoDB, paymentsTable string) (payment.Provider, error) {
	switch cfg.Provider {
	case sandbox.Name, "":
		return sandbox.New(db, paymentsTable), nil
	case stripe.Name:
		if cfg.StripeAPIKey == "" {
			return nil, fmt.Errorf("config: STRIPE_API_KEY is required with JIAOYI_PAYMENT_PROVIDER=stripe")
		}
		c := stripe.New(cfg.StripeAPIBase, string(cfg.StripeAPIKey))
		if cfg.StripeTimeout > 0 {
			c.HTTP.Timeout = cfg.StripeTimeout
		}
		return c, nil
	}
	return nil, fmt.Errorf("config: JIAOYI_PAYMENT_PROVIDER %q is not sandbox or stripe", cfg.Provider)
}

// FromEnv is New for a function at cold start: the Stripe key is read
// from the Secrets Manager secret APISecretID names (in AWS), then the
// provider is built.
func FromEnv(ctx context.Context, awsCfg aws.Config, cfg Config, db sandbox.DynamoDB, paymentsTable string) (payment.Provider, error) {
	err := secrets.Fill(ctx, secretsmanager.NewFromConfig(awsCfg), cfg.APISecretID, map[string]func(string){
		secrets.StripeAPIKey: func(v string) { cfg.StripeAPIKey = logging.Secret(v) },
	})
	if err != nil {
		return nil, err
	}
	return New(cfg, db, paymentsTable)
}
