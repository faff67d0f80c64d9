package searchapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/recommend"
	"github.com/jiaoyi-dev/jiaoyi/internal/search"
	"github.com/jiaoyi-dev/jiaoyi/internal/search/snapshot"
)

// RebuildConfig is what the index rebuild reads from the environment.
type RebuildConfig struct {
	CatalogTable   string `env:"JIAOYI_TABLE_CATALOG,required,notEmpty"`
	AnalyticsTable string `env:"JIAOYI_TABLE_ANALYTICS,required,notEmpty"`
	SearchBucket   string `env:"JIAOYI_SEARCH_BUCKET,required,notEmpty"`
	LogLevel       string `env:"LOG_LEVEL" envDefault:"info"`
}

// SalesRefresh is how old a snapshot may grow while orders keep coming
// before a rebuild refreshes its sales counts (the bestselling sort), even
// if nothing else the index keeps has changed.
const SalesRefresh = time.Hour

// Rebuilder rebuilds the search index snapshot from the catalog and the
// products' paid orders, and publishes it.
type Rebuilder struct {
	Catalog search.CatalogReader
	Sales   search.SalesReader
	S3      *s3.Client
	Bucket  string
	Log     *slog.Logger
	Now     func() time.Time
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
	db := dynamodb.NewFromConfig(awsCfg)
	return &Rebuilder{Catalog: search.CatalogScan{DB: db, Table: cfg.CatalogTable}, Sales: recommend.NewStore(db, cfg.AnalyticsTable),
		S3: client, Bucket: cfg.SearchBucket, Log: logging.New(os.Stdout, cfg.LogLevel), Now: time.Now}, nil
}

// Rebuild builds and publishes a snapshot of the whole catalog.
func (r *Rebuilder) Rebuild(ctx context.Context) error {
	start := time.Now()
	m, err := search.Rebuild(ctx, r.Catalog, r.Sales, r.S3, r.Bucket)
	if err != nil {
		return err
	}
	r.Log.Info("search index published", "version", m.Version, "took_ms", time.Since(start).Milliseconds())
	return nil
}

// due reports whether a batch of changes calls for a rebuild: it changes
// what the index keeps, or only stock moved (orders are coming) and the
// published snapshot's sales counts are older than SalesRefresh.
func (r *Rebuilder) due(ctx context.Context, records []events.DynamoDBEventRecord) (bool, error) {
	if len(records) == 0 || Changes(records) {
		return true, nil
	}
	m, err := snapshot.Latest(ctx, r.S3, r.Bucket)
	if nothing := new(s3types.NoSuchKey); errors.As(err, &nothing) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return r.Now().Sub(m.BuiltAt) >= SalesRefresh, nil
}

// NewRebuildIndex builds the consumer of the Catalog table's stream
// (Rebuilder.Handle).
func NewRebuildIndex(ctx context.Context) (func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), error) {
	r, err := NewRebuilder(ctx)
	if err != nil {
		return nil, err
	}
	return r.Handle, nil
}

// Handle consumes a batch of the Catalog table's changes (gathered for the
// mapping's window, a debounce): one rebuild if it is due. On failure the
// batch is reported from its first record, so the stream retries it.
func (r *Rebuilder) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	due, err := r.due(ctx, ev.Records)
	if err == nil && !due {
		r.Log.Debug("search index unchanged: only stock counts moved", "records", len(ev.Records))
		return resp, nil
	}
	if err == nil {
		err = r.Rebuild(ctx)
	}
	if err != nil {
		r.Log.Error("search index rebuild", "records", len(ev.Records), "error", err)
		if len(ev.Records) > 0 {
			resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: aws.ToString(&ev.Records[0].Change.SequenceNumber)}}
			return resp, nil
		}
		return resp, err
	}
	return resp, nil
}

// stockAttrs are the SKU attributes orders move all day; the index keeps
// only whether they are above zero (in stock, per pickup store).
var stockAttrs = map[string]bool{"available": true, "stock": true}

// Changes reports whether a batch of Catalog changes can change the
// index: anything but a SKU's stock counts moving while each stays on the
// same side of zero (overall and at every store). A placement moves stock
// on every order; rebuilding for that would rebuild all day for nothing.
// A record without both images counts as a change.
func Changes(records []events.DynamoDBEventRecord) bool {
	for _, r := range records {
		pk := r.Change.Keys["pk"]
		if r.EventName != "MODIFY" || pk.DataType() != events.DataTypeString || !strings.HasPrefix(pk.String(), "SKU#") ||
			r.Change.OldImage == nil || r.Change.NewImage == nil {
			return true
		}
		old, cur := r.Change.OldImage, r.Change.NewImage
		for name := range merged(old, cur) {
			if !stockAttrs[name] && !sameAttribute(old[name], cur[name]) {
				return true
			}
		}
		if positive(old["available"]) != positive(cur["available"]) {
			return true
		}
		os, ns := stockMap(old["stock"]), stockMap(cur["stock"])
		for loc := range merged(os, ns) {
			if id.Valid(id.Store, loc) && positive(os[loc]) != positive(ns[loc]) {
				return true
			}
		}
	}
	return false
}

func merged[V any](a, b map[string]V) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func stockMap(v events.DynamoDBAttributeValue) map[string]events.DynamoDBAttributeValue {
	if v.DataType() != events.DataTypeMap {
		return nil
	}
	return v.Map()
}

func positive(v events.DynamoDBAttributeValue) bool {
	if v.DataType() != events.DataTypeNumber {
		return false
	}
	n, err := strconv.ParseFloat(v.Number(), 64)
	return err == nil && n > 0
}

// sameAttribute compares two attribute values by their JSON form.
func sameAttribute(a, b events.DynamoDBAttributeValue) bool {
	ja, erra := json.Marshal(a)
	jb, errb := json.Marshal(b)
	return erra == nil && errb == nil && string(ja) == string(jb)
}
