package snapshot

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func bucket(t *testing.T) (*s3.Client, string) {
	t.Helper()
	client := awstest.S3(t)
	name := strings.TrimSuffix(awstest.Prefix(t), "-") + "snap"
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatal(err)
	}
	return client, name
}

func snapshotDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{MetaFile: `{"products":2,"builtAt":"2026-11-25T08:00:00Z"}`, "docs.json": `[{"id":"a"},{"id":"b"}]`,
		"index/store/000000000001.zap": strings.Repeat("segment ", 5000), "index/index_meta.json": `{"storage":"scorch"}`}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	_ = filepath.WalkDir(a, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, path)
		want, _ := os.ReadFile(path)
		got, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes, want %d (%v)", rel, len(got), len(want), err)
		}
		return nil
	})
}

// A published snapshot (zstd) downloads to the same files; one published
// as .tar.gz before the switch still opens; a tampered archive fails its
// checksum and leaves no directory behind.
func TestPublishAndDownload(t *testing.T) {
	ctx := context.Background()
	client, b := bucket(t)
	src := snapshotDir(t)
	m, err := Publish(ctx, client, b, src)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(m.Key, ".tar.zst") || m.Products != 2 {
		t.Fatalf("manifest %+v", m)
	}
	latest, err := Latest(ctx, client, b)
	if err != nil || latest.Key != m.Key {
		t.Fatalf("latest %+v %v", latest, err)
	}
	dst := filepath.Join(t.TempDir(), "zstd")
	if err := Download(ctx, client, b, latest, dst); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, src, dst)

	// A snapshot of the gzip days.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	_ = filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(src, path)
		if err != nil || rel == "." {
			return err
		}
		info, _ := d.Info()
		hdr, _ := tar.FileInfoHeader(info, "")
		hdr.Name = filepath.ToSlash(rel)
		_ = tw.WriteHeader(hdr)
		if !d.IsDir() {
			body, _ := os.ReadFile(path)
			_, _ = tw.Write(body)
		}
		return nil
	})
	_ = tw.Close()
	_ = zw.Close()
	sum := sha256.Sum256(buf.Bytes())
	old := Manifest{Version: "old", Key: "search/snapshots/old.tar.gz", SHA256: hex.EncodeToString(sum[:]), Bytes: int64(buf.Len()), BuiltAt: time.Now()}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: &old.Key, Body: bytes.NewReader(buf.Bytes())}); err != nil {
		t.Fatal(err)
	}
	gz := filepath.Join(t.TempDir(), "gzip")
	if err := Download(ctx, client, b, old, gz); err != nil {
		t.Fatalf("gzip snapshot: %v", err)
	}
	sameFiles(t, src, gz)

	bad := m
	bad.SHA256 = strings.Repeat("0", 64)
	dir := filepath.Join(t.TempDir(), "bad")
	if err := Download(ctx, client, b, bad, dir); !errors.Is(err, ErrChecksum) {
		t.Errorf("tampered: %v, want ErrChecksum", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("tampered download left %s behind", dir)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("search/snapshots/junk.tar.zst"), Body: strings.NewReader("not zstd")}); err != nil {
		t.Fatal(err)
	}
	if err := Download(ctx, client, b, Manifest{Key: "search/snapshots/junk.tar.zst", SHA256: bad.SHA256}, filepath.Join(t.TempDir(), "junk")); err == nil {
		t.Error("junk unpacked")
	}
}
