package search_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// bucket makes an S3 client for the emulator and a bucket unique to t.
func bucket(t *testing.T) (*s3.Client, string) {
	t.Helper()
	client := awstest.S3(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "search-test-" + hex.EncodeToString(b)
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return client, name
}
