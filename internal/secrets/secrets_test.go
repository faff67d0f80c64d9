package secrets_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/jiaoyi-dev/jiaoyi/internal/secrets"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// counting counts reads of the real client.
type counting struct {
	*secretsmanager.Client
	reads int
}

func (c *counting) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opt ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	c.reads++
	return c.Client.GetSecretValue(ctx, in, opt...)
}

func TestValuesAreReadOnceAndRefreshed(t *testing.T) {
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(awstest.Config(t))
	name := awstest.Prefix(t) + "payments"
	out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &name, SecretString: aws.String(`{"stripeApiKey":"sk_test_1","webhookSecrets":"whsec_a"}`)})
	if err != nil {
		t.Fatal(err)
	}
	c := &counting{Client: sm}
	s := secrets.New(c, time.Hour)
	for range 3 {
		v, err := s.Values(ctx, *out.ARN)
		if err != nil || v["stripeApiKey"] != "sk_test_1" {
			t.Fatalf("values %v, %v", v, err)
		}
	}
	if c.reads != 1 {
		t.Errorf("read %d times, want once while fresh", c.reads)
	}
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: out.ARN, SecretString: aws.String(`{"stripeApiKey":"sk_test_2"}`)}); err != nil {
		t.Fatal(err)
	}
	stale := secrets.New(c, 0)
	if v, _ := stale.Values(ctx, *out.ARN); v["stripeApiKey"] != "sk_test_2" {
		t.Errorf("after rotation %v, want the new key", v)
	}
	_, err = s.Values(ctx, "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing")
	if err == nil || strings.Contains(err.Error(), "sk_test") {
		t.Errorf("missing secret: %v", err)
	}
}
