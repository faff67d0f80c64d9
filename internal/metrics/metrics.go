// Package metrics writes business metrics in CloudWatch Embedded Metric
// Format: one JSON object per line on the function's stdout, which Lambda
// ships to CloudWatch Logs and CloudWatch turns into metrics, with no
// PutMetricData call on the request path. (Written by hand: the format is
// a few fields, and no well-kept Go library for it exists.)
package metrics

import (
	"encoding/json"
	"io"
	"os"
	"sync"
	"time"
)

// Namespace is jiaoyi's CloudWatch namespace.
const Namespace = "jiaoyi"

// Units used here.
const (
	Count = "Count"
	None  = "None"
)

// Recorder emits metrics for one service (a dimension of every metric).
type Recorder struct {
	mu      sync.Mutex
	w       io.Writer
	service string
	now     func() time.Time
}

// New returns a Recorder writing to w (os.Stdout when nil).
func New(w io.Writer, service string) *Recorder {
	if w == nil {
		w = os.Stdout
	}
	return &Recorder{w: w, service: service, now: time.Now}
}

// Discard is a Recorder that writes nowhere, for tools and tests.
func Discard() *Recorder { return New(io.Discard, "discard") }

// Add records value of metric name with unit. Properties are written beside
// the metric (searchable in Logs Insights, not dimensions, so they add no
// metric cardinality).
func (r *Recorder) Add(name string, value float64, unit string, properties map[string]any) {
	if r == nil {
		return
	}
	doc := map[string]any{
		"_aws": map[string]any{
			"Timestamp": r.now().UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  Namespace,
				"Dimensions": [][]string{{"Service"}},
				"Metrics":    []any{map[string]string{"Name": name, "Unit": unit}},
			}},
		},
		"Service": r.service,
		name:      value,
	}
	for k, v := range properties {
		if _, taken := doc[k]; !taken {
			doc[k] = v
		}
	}
	line, err := json.Marshal(doc)
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _ = r.w.Write(append(line, '\n'))
}
