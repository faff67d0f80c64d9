package settlement

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
)

// CSV renders a batch as a statement: one row per line, then the totals,
// amounts in major units.
func CSV(b Batch) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	amount := func(n int64) string {
		return strings.TrimPrefix(money.Money{Amount: n, Currency: b.Currency}.String(), b.Currency+" ")
	}
	rows := [][]string{{"merchant", "date", "kind", "late", "event_day", "count", "amount", "currency"}}
	for _, l := range b.Lines {
		rows = append(rows, []string{b.Merchant, b.Day, l.Kind, strconv.FormatBool(l.Late), l.Day, strconv.Itoa(l.Count), amount(l.Amount), b.Currency})
	}
	for _, t := range []struct {
		kind string
		v    int64
	}{{"carry_in", b.CarryIn}, {"net", b.Net}, {"recovered", -b.Recovered}, {"payout", b.Payout.Amount}, {"carry_out", b.CarryOut}} {
		rows = append(rows, []string{b.Merchant, b.Day, t.kind, "", "", "", amount(t.v), b.Currency})
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ExportKey is where a merchant's statement of day lies in the exports
// bucket: one object per batch, written again (unchanged) by every run.
func ExportKey(merchantID, day string) string {
	return "settlements/" + merchantID + "/" + day + ".csv"
}

// ObjectPutter writes objects (the S3 client).
type ObjectPutter interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Exporter writes each closed batch's statement to S3 as CSV and signs
// links to download it.
type Exporter struct {
	S3     ObjectPutter
	Bucket string
	// Presign signs download links (nil: Link is not used).
	Presign Presigner
}

// Export writes b's statement to ExportKey. A closed batch never changes,
// so writing it again is harmless: each settlement run exports the
// batches it returns, which retries one whose export failed.
func (e *Exporter) Export(ctx context.Context, b Batch) error {
	body, err := CSV(b)
	if err != nil {
		return err
	}
	_, err = e.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(e.Bucket), Key: aws.String(ExportKey(b.Merchant, b.Day)), Body: bytes.NewReader(body),
		ContentType:        aws.String("text/csv; charset=utf-8"),
		ContentDisposition: aws.String(fmt.Sprintf(`attachment; filename="settlement-%s-%s.csv"`, b.Merchant, b.Day)),
	})
	if err != nil {
		return fmt.Errorf("export settlement %s %s: %w", b.Merchant, b.Day, err)
	}
	return nil
}

// Presigner signs download links (the S3 presign client).
type Presigner interface {
	PresignGetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error)
}

// Link presigns a download of merchantID's statement of day, valid for ttl.
func (e *Exporter) Link(ctx context.Context, merchantID, day string, ttl time.Duration, now time.Time) (ExportRef, error) {
	key := ExportKey(merchantID, day)
	req, err := e.Presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(e.Bucket), Key: aws.String(key)}, s3.WithPresignExpires(ttl))
	if err != nil {
		return ExportRef{}, fmt.Errorf("presign settlement export: %w", err)
	}
	return ExportRef{Bucket: e.Bucket, Key: key, URL: req.URL, ExpiresAt: now.Add(ttl).UTC()}, nil
}

// ExportRef says where a batch's statement was exported and how to
// download it for a while.
type ExportRef struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	// URL downloads the CSV until ExpiresAt.
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}
