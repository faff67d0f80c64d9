package settlement_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
	"github.com/jiaoyi-dev/jiaoyi/internal/settlement"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// A settlement run writes each batch it closes to S3 as the statement's
// CSV (again, unchanged, on a re-run), and the link presigned for it
// downloads that CSV.
func TestSettlementStatementsAreExportedToS3(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	client := awstest.S3(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	bucket := "exports-test-" + hex.EncodeToString(b)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	exp := &settlement.Exporter{S3: client, Bucket: bucket, Presign: s3.NewPresignClient(client)}
	r.settler.Exporter = exp
	r.clock.Set(time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC))
	if err := r.poster.Apply(ctx, paid(t, "ord_x1", time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	r.clock.Set(time.Date(2026, 11, 24, 21, 0, 0, 0, time.UTC)) // both merchants' 24th has closed
	day := settle.Date{Year: 2026, Month: 11, Day: 24}
	for run := range 2 {
		sum, err := r.settler.SettleAll(ctx, &day)
		if err != nil || len(sum.Failures) > 0 {
			t.Fatalf("run %d: %v %+v", run, err, sum.Failures)
		}
		if len(sum.Batches) != 2 {
			t.Fatalf("run %d: %d batches, want one per merchant", run, len(sum.Batches))
		}
		for _, batch := range sum.Batches {
			want, err := settlement.CSV(batch)
			if err != nil {
				t.Fatal(err)
			}
			obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String(settlement.ExportKey(batch.Merchant, batch.Day))})
			if err != nil {
				t.Fatalf("run %d: %s's statement not exported: %v", run, batch.Merchant, err)
			}
			got, _ := io.ReadAll(obj.Body)
			obj.Body.Close()
			if string(got) != string(want) {
				t.Errorf("run %d: exported\n%s\nwant\n%s", run, got, want)
			}
			if aws.ToString(obj.ContentType) != "text/csv; charset=utf-8" {
				t.Errorf("content type %q", aws.ToString(obj.ContentType))
			}
		}
	}
	ref, err := exp.Link(ctx, books, day.String(), 15*time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(ref.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(body) == 0 || ref.Key != settlement.ExportKey(books, day.String()) {
		t.Errorf("download link %s: %d %q", ref.URL, resp.StatusCode, body)
	}
}
