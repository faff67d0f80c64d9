// Package secrets reads a function's secrets from AWS Secrets Manager at
// cold start and keeps them for the container's life (re-read after TTL,
// so a rotation reaches running containers), instead of plain environment
// variables that anyone who can read the function's configuration sees.
// Locally (make run, tests) no secret id is configured and the plain
// variables keep working.
package secrets

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Client reads secret values.
type Client interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Store reads JSON secrets (an object of string values) and caches them.
type Store struct {
	client Client
	ttl    time.Duration
	now    func() time.Time
	mu     sync.Mutex
	cache  map[string]entry
}

type entry struct {
	values map[string]string
	at     time.Time
}

// New returns a Store whose values are re-read after ttl.
func New(client Client, ttl time.Duration) *Store {
	return &Store{client: client, ttl: ttl, now: time.Now, cache: map[string]entry{}}
}

// Values returns the secret's fields. The error names the secret, never
// its value.
func (s *Store) Values(ctx context.Context, id string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.cache[id]; ok && s.now().Sub(e.at) < s.ttl {
		return e.values, nil
	}
	out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
	if err != nil {
		return nil, fmt.Errorf("secrets: read %s: %w", id, err)
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("secrets: %s has no string value", id)
	}
	var values map[string]string
	if err := json.Unmarshal([]byte(*out.SecretString), &values); err != nil {
		return nil, fmt.Errorf("secrets: %s is not a JSON object of strings", id)
	}
	s.cache[id] = entry{values: values, at: s.now()}
	return values, nil
}

// Field names in jiaoyi's secrets.
const (
	// In the webhook secret (JIAOYI_SECRET_WEBHOOKS): comma-separated
	// signing secrets per sender.
	SandboxWebhooks = "sandboxWebhookSecrets"
	StripeWebhooks  = "stripeWebhookSecrets"
	CarrierWebhooks = "carrierWebhookSecrets"
	// In the payment API secret (JIAOYI_SECRET_PAYMENT_API).
	StripeAPIKey = "stripeApiKey"
)

// Fill reads secret id (when set) once and gives each field to its
// setter, for a function's constructor at cold start.
func Fill(ctx context.Context, client Client, id string, fields map[string]func(string)) error {
	if id == "" {
		return nil
	}
	values, err := New(client, time.Hour).Values(ctx, id)
	if err != nil {
		return err
	}
	for name, set := range fields {
		if v, ok := values[name]; ok && v != "" {
			set(v)
		}
	}
	return nil
}
