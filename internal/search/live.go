package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/search/snapshot"
)

// handle is one opened snapshot with a reference count: Live holds one
// reference while the snapshot is current, each query one while it runs.
// The last release closes the index and removes its files.
type handle struct {
	eng     *Engine
	version string
	dir     string
	refs    atomic.Int64
	close   sync.Once
}

func (h *handle) release() {
	if h.refs.Add(-1) == 0 {
		h.close.Do(func() {
			h.eng.Close()
			os.RemoveAll(h.dir)
		})
	}
}

// Live serves queries from the newest published snapshot. It downloads the
// current one when it is opened, then checks the manifest at most once per
// interval and swaps atomically to a newer snapshot; a replaced snapshot is
// closed once the queries still using it finish. It never builds an index.
type Live struct {
	client   snapshot.S3
	bucket   string
	root     string
	interval time.Duration
	now      func() time.Time

	cur       atomic.Pointer[handle]
	nextCheck atomic.Int64 // unix nanoseconds
	refresh   sync.Mutex
}

// OpenLive downloads the current snapshot from bucket into a directory
// under root (a Lambda's /tmp) and opens it. interval is how often the
// manifest is checked for a newer snapshot.
func OpenLive(ctx context.Context, client snapshot.S3, bucket, root string, interval time.Duration) (*Live, error) {
	l := &Live{client: client, bucket: bucket, root: root, interval: interval, now: time.Now}
	m, err := snapshot.Latest(ctx, client, bucket)
	if err != nil {
		return nil, err
	}
	h, err := l.load(ctx, m)
	if err != nil {
		return nil, err
	}
	l.cur.Store(h)
	l.nextCheck.Store(l.now().Add(interval).UnixNano())
	return l, nil
}

func (l *Live) load(ctx context.Context, m snapshot.Manifest) (*handle, error) {
	dir := filepath.Join(l.root, "search-"+m.Version)
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("search: clear %s: %w", dir, err)
	}
	if err := snapshot.Download(ctx, l.client, l.bucket, m, dir); err != nil {
		return nil, err
	}
	eng, err := Open(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	h := &handle{eng: eng, version: m.Version, dir: dir}
	h.refs.Store(1)
	return h, nil
}

// Version is the version of the snapshot being served.
func (l *Live) Version() string { return l.cur.Load().version }

// Acquire returns the current engine and a release function the caller
// must call when its query is done. When the check interval has passed, it
// first looks for a newer snapshot (one caller at a time; others go on
// with the current one); a failed check keeps the current snapshot.
func (l *Live) Acquire(ctx context.Context) (*Engine, func()) {
	if l.now().UnixNano() >= l.nextCheck.Load() && l.refresh.TryLock() {
		l.nextCheck.Store(l.now().Add(l.interval).UnixNano())
		_ = l.Refresh(ctx)
		l.refresh.Unlock()
	}
	for {
		h := l.cur.Load()
		if h.refs.Add(1) > 1 {
			return h.eng, h.release
		}
		// h was retired and closed between Load and Add: undo, retry.
		h.refs.Add(-1)
	}
}

// Refresh swaps to the manifest's snapshot if it differs from the one
// being served.
func (l *Live) Refresh(ctx context.Context) error {
	m, err := snapshot.Latest(ctx, l.client, l.bucket)
	if err != nil {
		return err
	}
	if m.Version == l.cur.Load().version {
		return nil
	}
	h, err := l.load(ctx, m)
	if err != nil {
		return err
	}
	old := l.cur.Swap(h)
	old.release()
	return nil
}

// Close releases the current snapshot; queries in flight finish first.
func (l *Live) Close() {
	if h := l.cur.Load(); h != nil {
		h.release()
	}
}
