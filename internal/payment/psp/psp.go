// Package psp picks the payment provider adapter a function uses, from its
// configuration.
package psp

import (
	"fmt"

	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/stripe"
)

// Config selects and configures the provider. In AWS the Stripe key comes
// from Secrets Manager through the function's environment; it is never in
// code and never logged.
type Config struct {
	Provider      string         `env:"JIAOYI_PAYMENT_PROVIDER" envDefault:"sandbox"`
	StripeAPIKey  logging.Secret `env:"STRIPE_API_KEY"`
	StripeAPIBase string         `env:"STRIPE_API_BASE"`
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
		return stripe.New(cfg.StripeAPIBase, string(cfg.StripeAPIKey)), nil
	}
	return nil, fmt.Errorf("config: JIAOYI_PAYMENT_PROVIDER %q is not sandbox or stripe", cfg.Provider)
}
