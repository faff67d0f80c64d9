package routes_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/emulator"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
)

// The route table, the functions/ folders and the OpenAPI contract must
// name the same routes.
func TestRouteTableMatchesFunctionsAndContract(t *testing.T) {
	root, err := emulator.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	documented, err := api.Routes()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	fnSeen := map[string]bool{}
	for _, r := range routes.All() {
		if seen[r.Key()] {
			t.Errorf("route %s appears twice", r.Key())
		}
		seen[r.Key()] = true
		fnSeen[r.Function] = true
		if _, err := os.Stat(filepath.Join(root, "functions", r.Function, "main.go")); err != nil {
			t.Errorf("route %s: functions/%s/main.go: %v", r.Key(), r.Function, err)
		}
		if !slices.Contains(documented, r.Key()) {
			t.Errorf("route %s is not in api/openapi.yaml", r.Key())
		}
		if r.MemoryMB < 128 || r.Timeout <= 0 || len(r.Tables) == 0 {
			t.Errorf("route %s: incomplete definition %+v", r.Key(), r)
		}
	}
	for _, d := range documented {
		if !seen[d] {
			t.Errorf("api/openapi.yaml documents %s, which no route serves", d)
		}
	}
	// Every function folder is deployed by some route or consumer.
	consumers := map[string]bool{}
	for _, c := range routes.Consumers() {
		consumers[c.Function] = true
		queueFed := c.Queue != nil && c.BatchSize > 0
		scheduled := c.Every > 0
		streamFed := c.Stream != nil && c.Stream.Stream && c.BatchSize > 0 && c.Window > 0
		sources := 0
		for _, b := range []bool{queueFed, scheduled, streamFed} {
			if b {
				sources++
			}
		}
		if sources != 1 || c.MemoryMB < 128 || c.Timeout <= 0 || len(c.Tables) == 0 {
			t.Errorf("consumer %s: want exactly one of a queue, a schedule or a table's stream (with a window), and memory, timeout, tables: %+v", c.Function, c)
		}
		if c.Queue != nil && 6*c.Timeout > c.Queue.VisibilityTimeout {
			t.Errorf("consumer %s: the queue's visibility timeout %s must be at least six times the function's %s", c.Function, c.Queue.VisibilityTimeout, c.Timeout)
		}
		if _, err := os.Stat(filepath.Join(root, "functions", c.Function, "main.go")); err != nil {
			t.Errorf("consumer %s: %v", c.Function, err)
		}
	}
	err = filepath.WalkDir(filepath.Join(root, "functions"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "main.go" {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(root, "functions"), filepath.Dir(path))
		fn := filepath.ToSlash(rel)
		if !fnSeen[fn] && !consumers[fn] {
			t.Errorf("functions/%s is in no route or consumer", fn)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
