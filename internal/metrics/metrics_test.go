package metrics

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestEmbeddedMetricFormat(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, "checkout")
	r.now = func() time.Time { return time.UnixMilli(1795507200000) }
	r.Add("OrdersPlaced", 1, Count, map[string]any{"orderId": "ord_1", "Service": "spoofed"})
	var doc struct {
		AWS struct {
			Timestamp         int64 `json:"Timestamp"`
			CloudWatchMetrics []struct {
				Namespace  string              `json:"Namespace"`
				Dimensions [][]string          `json:"Dimensions"`
				Metrics    []map[string]string `json:"Metrics"`
			} `json:"CloudWatchMetrics"`
		} `json:"_aws"`
		Service      string  `json:"Service"`
		OrdersPlaced float64 `json:"OrdersPlaced"`
		OrderID      string  `json:"orderId"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not one JSON object: %v: %s", err, buf.String())
	}
	m := doc.AWS.CloudWatchMetrics
	if doc.AWS.Timestamp != 1795507200000 || len(m) != 1 || m[0].Namespace != "jiaoyi" || m[0].Metrics[0]["Name"] != "OrdersPlaced" ||
		m[0].Dimensions[0][0] != "Service" || doc.Service != "checkout" || doc.OrdersPlaced != 1 || doc.OrderID != "ord_1" {
		t.Errorf("document = %+v", doc)
	}
	if bytes.Count(buf.Bytes(), []byte("\n")) != 1 {
		t.Error("want exactly one line")
	}
	var nilRecorder *Recorder
	nilRecorder.Add("X", 1, Count, nil) // no panic
}
