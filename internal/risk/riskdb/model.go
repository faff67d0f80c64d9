package riskdb

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jiaoyi-dev/jiaoyi/internal/risk"
)

// ObjectGetter reads an S3 object.
type ObjectGetter interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// maxModelBytes bounds a model file (the demo model is about 1.5 KiB).
const maxModelBytes = 1 << 20

// LoadModel reads the model a function scores with: the embedded demo
// model when uri is empty, else the JSON at uri ("s3://bucket/key"), so a
// retrained model is deployed by uploading it and setting
// JIAOYI_RISK_MODEL. Returns risk.ErrBadModel (wrapped) for a file that is
// not a usable model, and an error naming the URI otherwise.
func LoadModel(ctx context.Context, s3c ObjectGetter, uri string) (*risk.Model, error) {
	if uri == "" {
		return risk.DefaultModel(), nil
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(uri, "s3://"), "/")
	if !strings.HasPrefix(uri, "s3://") || !ok || bucket == "" || key == "" {
		return nil, fmt.Errorf("risk model %q: want s3://bucket/key", uri)
	}
	out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return nil, fmt.Errorf("risk model %s: %w", uri, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, maxModelBytes+1))
	if err != nil {
		return nil, fmt.Errorf("risk model %s: %w", uri, err)
	}
	if len(b) > maxModelBytes {
		return nil, fmt.Errorf("%w: %s is over %d bytes", risk.ErrBadModel, uri, maxModelBytes)
	}
	m, err := risk.ParseModel(b)
	if err != nil {
		return nil, fmt.Errorf("risk model %s: %w", uri, err)
	}
	if _, err := risk.NewScorer(m); err != nil {
		return nil, fmt.Errorf("risk model %s: %w", uri, err)
	}
	return m, nil
}
