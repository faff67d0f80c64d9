package search

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/search/synth"
)

// A snapshot is one segment however many batches built it, and carries no
// merged-away segment files.
func TestBuildMergesIntoOneSegment(t *testing.T) {
	dir := t.TempDir()
	n, err := Build(context.Background(), synth.Products(3500), dir)
	if err != nil {
		t.Fatal(err)
	}
	if n < 3000 {
		t.Fatalf("built %d products, want over 3000 (three batches)", n)
	}
	files, err := segmentFiles(filepath.Join(dir, indexDir))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 {
		t.Fatalf("%d segment files %v, want 1", len(files), files)
	}
	e, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Len() != n {
		t.Errorf("opened %d products, want %d", e.Len(), n)
	}
	r, err := e.Search(context.Background(), Request{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != uint64(n) {
		t.Errorf("browse total %d, want %d", r.Total, n)
	}
}
