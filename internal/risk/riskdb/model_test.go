package riskdb_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jiaoyi-dev/jiaoyi/internal/risk"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk/riskdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func TestLoadModel(t *testing.T) {
	ctx := context.Background()
	client := awstest.S3(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	bucket := "risk-model-test-" + hex.EncodeToString(b)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	put := func(key string, body []byte) {
		t.Helper()
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	m := *risk.DefaultModel()
	m.Version = "retrained-2026.11"
	good, _ := json.Marshal(m)
	put("models/good.json", good)
	put("models/bad.json", []byte(`{"version":"x"}`))

	if got, err := riskdb.LoadModel(ctx, client, ""); err != nil || got.Version != risk.DemoVersion {
		t.Errorf("no URI: %v %v, want the embedded model", got, err)
	}
	if got, err := riskdb.LoadModel(ctx, client, "s3://"+bucket+"/models/good.json"); err != nil || got.Version != m.Version {
		t.Errorf("from S3: %v %v, want %s", got, err, m.Version)
	}
	if _, err := riskdb.LoadModel(ctx, client, "s3://"+bucket+"/models/bad.json"); !errors.Is(err, risk.ErrBadModel) {
		t.Errorf("a bad model: %v, want ErrBadModel", err)
	}
	for _, uri := range []string{"s3://" + bucket + "/models/missing.json", "https://example.com/m.json", "s3://bucket-only"} {
		if _, err := riskdb.LoadModel(ctx, client, uri); err == nil {
			t.Errorf("%s: no error", uri)
		}
	}
}
