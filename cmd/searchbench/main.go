// Command searchbench measures product search at catalog scale and prints
// the numbers: build time and peak memory, snapshot size, publish and
// download+open time against the emulator's S3, query p50/p99 with three
// facets, suggest p99, and a DynamoDB scan-and-filter of a smaller catalog
// in the emulator for comparison (extrapolated linearly: a scan reads every
// item). Exit code 2 on bad flags, 1 on failure.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/emulator"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/search"
	"github.com/jiaoyi-dev/jiaoyi/internal/search/snapshot"
	"github.com/jiaoyi-dev/jiaoyi/internal/search/synth"
)

func main() {
	fs := flag.NewFlagSet("searchbench", flag.ContinueOnError)
	n := fs.Int("n", 100000, "products in the generated catalog")
	scanN := fs.Int("scan", 10000, "products for the DynamoDB scan comparison (0 = skip)")
	queries := fs.Int("queries", 2000, "queries to time")
	if err := fs.Parse(os.Args[1:]); err != nil || *n < 1 || *scanN < 0 || *queries < 10 || fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: searchbench [-n products>=1] [-scan products>=0] [-queries N>=10]")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, *n, *scanN, *queries); err != nil {
		fmt.Fprintln(os.Stderr, "searchbench:", err)
		os.Exit(1)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func pct(ds []time.Duration, p int) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[min(len(ds)-1, len(ds)*p/100)]
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

func maxRSS() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss * 1024 // kilobytes on Linux
}

// heapAlloc is the live heap after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func run(ctx context.Context, w io.Writer, n, scanN, queries int) error {
	tmp, err := os.MkdirTemp("", "searchbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	start := time.Now()
	products := synth.Products(n)
	fmt.Fprintf(w, "catalog: %d generated bilingual products (%s to generate)\n", n, ms(time.Since(start)))

	dir := filepath.Join(tmp, "build")
	runtime.GC()
	start = time.Now()
	count, err := search.Build(ctx, products, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "full build: %d active products indexed in %s; process peak RSS so far %.0f MB\n", count, ms(time.Since(start)), float64(maxRSS())/1e6)
	fmt.Fprintf(w, "snapshot on disk: %.1f MB\n", float64(dirSize(dir))/1e6)
	products = nil
	runtime.GC()

	endpoint, stop, err := emulator.EnsureEnv(ctx)
	if err != nil {
		return err
	}
	defer stop()
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return err
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle, o.DisableLogOutputChecksumValidationSkipped = true, true })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	bucket := "searchbench-" + hex.EncodeToString(b)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		return fmt.Errorf("create bucket at %s: %w", endpoint, err)
	}
	start = time.Now()
	m, err := snapshot.Publish(ctx, client, bucket, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "publish to S3 (emulator): %s; archive %.1f MB (%s)\n", ms(time.Since(start)), float64(m.Bytes)/1e6, filepath.Ext(m.Key))
	// The emulator's S3 serves one request at a time through Python: its
	// GET alone, to tell it from the unpack and open.
	start = time.Now()
	obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &m.Key})
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, obj.Body)
	obj.Body.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "S3 GET of the archive alone (emulator): %s\n", ms(time.Since(start)))
	heapBefore := heapAlloc()
	start = time.Now()
	live, err := search.OpenLive(ctx, client, bucket, filepath.Join(tmp, "live"), time.Minute)
	if err != nil {
		return err
	}
	defer live.Close()
	fmt.Fprintf(w, "download from S3 (emulator) + unpack + open: %s\n", ms(time.Since(start)))
	fmt.Fprintf(w, "heap held by the opened snapshot: %.0f MB\n", float64(heapAlloc()-heapBefore)/1e6)

	eng, release := live.Acquire(ctx)
	defer release()
	var lat, browse []time.Duration
	var zero int
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for i := range queries {
		q := synth.Queries[i%len(synth.Queries)]
		t0 := time.Now()
		res, err := eng.Search(ctx, search.Request{Query: q, Limit: 20})
		if err != nil {
			return err
		}
		d := time.Since(t0)
		if res.Total == 0 {
			zero++
		}
		if q == "" {
			browse = append(browse, d)
		} else {
			lat = append(lat, d)
		}
	}
	fmt.Fprintf(w, "query (text, 20 per page, 3 facets): p50 %s, p99 %s over %d queries (%d with no hits)\n", ms(pct(lat, 50)), ms(pct(lat, 99)), len(lat), zero)
	fmt.Fprintf(w, "browse (empty q, whole catalog, 3 facets): p50 %s, p99 %s over %d queries\n", ms(pct(browse, 50)), ms(pct(browse, 99)), len(browse))
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	fmt.Fprintf(w, "allocated per query or browse: %.0f KB\n", float64(m1.TotalAlloc-m0.TotalAlloc)/float64(queries)/1e3)
	var sug []time.Duration
	for i := range queries {
		t0 := time.Now()
		eng.Suggest(synth.Prefixes[i%len(synth.Prefixes)], search.MaxSuggestions)
		sug = append(sug, time.Since(t0))
	}
	fmt.Fprintf(w, "suggest: p50 %s, p99 %s\n", ms(pct(sug, 50)), ms(pct(sug, 99)))
	fmt.Fprintf(w, "process peak RSS: %.0f MB\n", float64(maxRSS())/1e6)
	p50 := pct(lat, 50)

	if scanN == 0 {
		return nil
	}
	db := dynamodb.NewFromConfig(awsCfg)
	env, err := provision.Tables(ctx, db, "searchbench-"+hex.EncodeToString(b)+"-", resource.Catalog)
	if err != nil {
		return err
	}
	table := env[resource.Catalog.EnvVar]
	small := synth.Products(scanN)
	batch := catalog.Batch{}
	for _, p := range small {
		batch.Products = append(batch.Products, p.Product)
		batch.SKUs = append(batch.SKUs, p.SKUs...)
	}
	if err := catalog.NewRepository(db, table).Write(ctx, batch); err != nil {
		return err
	}
	var scans []time.Duration
	for _, q := range []string{"耳机", "tea", "龙井"} {
		t0 := time.Now()
		hits, err := scanFilter(ctx, db, table, q)
		if err != nil {
			return err
		}
		scans = append(scans, time.Since(t0))
		_ = hits
	}
	var sum time.Duration
	for _, d := range scans {
		sum += d
	}
	mean := sum / time.Duration(len(scans))
	extra := time.Duration(float64(mean) * float64(n) / float64(scanN))
	fmt.Fprintf(w, "DynamoDB scan-and-filter at %d products (emulator): mean %s per query (substring match on names, no ranking, no facets)\n", scanN, ms(mean))
	fmt.Fprintf(w, "  extrapolated linearly to %d products: %s; ratio to our query p50: %.0fx\n", n, ms(extra), float64(extra)/float64(p50))
	return nil
}

// scanFilter is the naive alternative: scan the whole catalog table and
// keep products whose name contains q.
func scanFilter(ctx context.Context, db *dynamodb.Client, table, q string) (int, error) {
	in := &dynamodb.ScanInput{
		TableName:                &table,
		FilterExpression:         aws.String("sk = :p AND (contains(#n.zh, :q) OR contains(#n.en, :q))"),
		ExpressionAttributeNames: map[string]string{"#n": "name"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p": &types.AttributeValueMemberS{Value: "PRODUCT"}, ":q": &types.AttributeValueMemberS{Value: q}},
	}
	hits := 0
	for {
		out, err := db.Scan(ctx, in)
		if err != nil {
			return 0, fmt.Errorf("scan: %w", err)
		}
		hits += len(out.Items)
		if len(out.LastEvaluatedKey) == 0 {
			return hits, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
