package search_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/recommend"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/search"
	"github.com/jiaoyi-dev/jiaoyi/internal/search/snapshot"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func TestPublishOpenAndSwap(t *testing.T) {
	ctx := context.Background()
	demoEngine(t) // builds demoDir
	client, bkt := bucket(t)
	m1, err := snapshot.Publish(ctx, client, bkt, demoDir)
	if err != nil {
		t.Fatal(err)
	}
	if m1.Products != activeCount() || m1.Bytes == 0 {
		t.Fatalf("manifest %+v, want %d products", m1, activeCount())
	}
	live, err := search.OpenLive(ctx, client, bkt, t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	old, releaseOld := live.Acquire(ctx)
	if old.Len() != activeCount() || live.Version() != m1.Version {
		t.Fatalf("serving %d products at %s, want %d at %s", old.Len(), live.Version(), activeCount(), m1.Version)
	}

	// Publish a smaller catalog; the next query swaps to it while the
	// query holding the old snapshot still finishes on it.
	b := demo.Catalog()
	dir := t.TempDir()
	if _, err := search.Build(ctx, search.Join(b.Products[:40], b.SKUs), dir); err != nil {
		t.Fatal(err)
	}
	m2, err := snapshot.Publish(ctx, client, bkt, dir)
	if err != nil {
		t.Fatal(err)
	}
	cur, release := live.Acquire(ctx)
	if live.Version() != m2.Version || cur.Len() != m2.Products {
		t.Fatalf("after publish: serving %d at %s, want %d at %s", cur.Len(), live.Version(), m2.Products, m2.Version)
	}
	release()
	if r, err := old.Search(ctx, search.Request{Query: "茶"}); err != nil || r.Total == 0 {
		t.Fatalf("in-flight query on the replaced snapshot: %v, total %d", err, r.Total)
	}
	releaseOld()
	if _, err := old.Search(ctx, search.Request{Query: "茶"}); err == nil {
		t.Error("replaced snapshot still open after its last query released it")
	}
}

func TestDownloadRejectsABadChecksum(t *testing.T) {
	ctx := context.Background()
	demoEngine(t)
	client, bkt := bucket(t)
	m, err := snapshot.Publish(ctx, client, bkt, demoDir)
	if err != nil {
		t.Fatal(err)
	}
	m.SHA256 = "0000000000000000000000000000000000000000000000000000000000000000"
	body, _ := json.Marshal(m)
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bkt, Key: aws.String(snapshot.ManifestKey), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	got, err := snapshot.Latest(ctx, client, bkt)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir() + "/x"
	if err := snapshot.Download(ctx, client, bkt, got, dir); !errors.Is(err, snapshot.ErrChecksum) {
		t.Fatalf("err = %v, want ErrChecksum", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("directory of a rejected download left behind: %v", err)
	}
}

func TestRebuildFromTheCatalogTable(t *testing.T) {
	ctx := context.Background()
	env := awstest.Tables(t, resource.Catalog, resource.Analytics)
	db := awstest.DynamoDB(t)
	table := env[resource.Catalog.EnvVar]
	// The first 80 demo products (two of them inactive) keep the test fast.
	full := demo.Catalog()
	b := catalog.Batch{Products: full.Products[:80]}
	active := 0
	for _, d := range search.Join(b.Products, full.SKUs) {
		b.SKUs = append(b.SKUs, d.SKUs...)
		if d.Status == catalog.Active {
			active++
		}
	}
	if active == len(b.Products) {
		t.Fatal("want some inactive products in the table")
	}
	if err := catalog.NewRepository(db, table).Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	// Paid orders: the 3rd active product in three, the 2nd in two (one
	// of them delivered twice: counted once), an inactive one in one.
	var ids, inactive []string
	for _, p := range b.Products {
		if p.Status == catalog.Active {
			ids = append(ids, p.ID)
		} else {
			inactive = append(inactive, p.ID)
		}
	}
	sales := recommend.NewStore(db, env[resource.Analytics.EnvVar])
	for i, o := range [][]string{{ids[2], ids[1]}, {ids[2]}, {ids[2], ids[1]}, {ids[2], ids[1]}, {inactive[0]}} {
		event := fmt.Sprintf("evt_%d", min(i, 2)) // the 4th is the 3rd again
		if err := sales.Record(ctx, event, "cus_a", o); err != nil {
			t.Fatal(err)
		}
	}
	client, bkt := bucket(t)
	m, err := search.Rebuild(ctx, search.CatalogScan{DB: db, Table: table}, sales, client, bkt)
	if err != nil {
		t.Fatal(err)
	}
	if m.Products != active {
		t.Fatalf("published %d products, want the %d active ones", m.Products, active)
	}
	live, err := search.OpenLive(ctx, client, bkt, t.TempDir(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	eng, release := live.Acquire(ctx)
	defer release()
	r, err := eng.Search(ctx, search.Request{Query: "longjing"})
	if err != nil || r.Total == 0 {
		t.Fatalf("search the rebuilt snapshot: %v, total %d", err, r.Total)
	}
	r, err = eng.Search(ctx, search.Request{Sort: search.Bestselling, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range r.Hits {
		got = append(got, fmt.Sprintf("%s:%d", h.Doc.ID, h.Doc.Sales))
	}
	if len(got) < 3 || got[0] != ids[2]+":3" || got[1] != ids[1]+":2" || !strings.HasSuffix(got[2], ":0") {
		t.Errorf("bestselling = %v, want %s:3, %s:2, then products without orders", got, ids[2], ids[1])
	}
}
