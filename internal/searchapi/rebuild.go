package searchapi

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/search"
)

// RebuildConfig is what the index rebuild reads from the environment.
type RebuildConfig struct {
	CatalogTable string `env:"JIAOYI_TABLE_CATALOG,required,notEmpty"`
	SearchBucket string `env:"JIAOYI_SEARCH_BUCKET,required,notEmpty"`
	LogLevel     string `env:"LOG_LEVEL" envDefault:"info"`
}

// Rebuilder rebuilds the search index snapshot from the catalog and
// publishes it.
type Rebuilder struct {
	Catalog search.CatalogReader
	S3      *s3.Client
	Bucket  string
	Log     *slog.Logger
}

// NewRebuilder builds a Rebuilder from the environment.
func NewRebuilder(ctx context.Context) (*Rebuilder, error) {
	cfg, err := config.Load[RebuildConfig]()
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		// The emulator serves buckets by path, not by host name.
		o.UsePathStyle = os.Getenv("AWS_ENDPOINT_URL") != ""
		// Snapshots are checked by their manifest's digest, not per object.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	return &Rebuilder{Catalog: search.CatalogScan{DB: dynamodb.NewFromConfig(awsCfg), Table: cfg.CatalogTable},
		S3: client, Bucket: cfg.SearchBucket, Log: logging.New(os.Stdout, cfg.LogLevel)}, nil
}

// Rebuild builds and publishes a snapshot of the whole catalog.
func (r *Rebuilder) Rebuild(ctx context.Context) error {
	start := time.Now()
	m, err := search.Rebuild(ctx, r.Catalog, r.S3, r.Bucket)
	if err != nil {
		return err
	}
	r.Log.Info("search index published", "version", m.Version, "took_ms", time.Since(start).Milliseconds())
	return nil
}

// NewRebuildIndex builds the consumer of the Catalog table's stream: any
// batch of changes (gathered for the mapping's window, a debounce) makes
// one rebuild. On failure the batch is reported from its first record, so
// the stream retries it.
func NewRebuildIndex(ctx context.Context) (func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), error) {
	r, err := NewRebuilder(ctx)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		if err := r.Rebuild(ctx); err != nil {
			r.Log.Error("search index rebuild", "records", len(ev.Records), "error", err)
			if len(ev.Records) > 0 {
				resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: aws.ToString(&ev.Records[0].Change.SequenceNumber)}}
				return resp, nil
			}
			return resp, err
		}
		return resp, nil
	}, nil
}
