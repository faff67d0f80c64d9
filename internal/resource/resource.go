// Package resource is the one definition of every DynamoDB table and SQS queue
// jiaoyi uses: keys, indexes, TTL, streams, FIFO, dead-letter queues and
// timeouts. Local provisioning (internal/provision) and the CDK app build
// from these values, and functions find the physical names in the
// environment variables named here, so nothing is named twice.
package resource

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Table describes a DynamoDB table. Every table uses the generic string keys
// pk and sk so one table can hold a bounded context's item types.
type Table struct {
	// Name is the logical name; the physical name is a prefix plus Name.
	Name string
	// EnvVar is the environment variable that carries the physical name.
	EnvVar       string
	PartitionKey string
	SortKey      string
	Indexes      []Index
	// TTLAttribute, if set, is the epoch-seconds attribute DynamoDB expires on.
	TTLAttribute string
	// Stream enables a NEW_AND_OLD_IMAGES stream; set it only where a
	// consumer reads it (the order outbox is relayed through an index, so
	// none does yet).
	Stream bool
	// PointInTimeRecovery is required for tables that hold money or orders.
	PointInTimeRecovery bool
}

// Index is a global secondary index with string keys, projecting all attributes.
type Index struct {
	Name         string
	PartitionKey string
	SortKey      string
}

// Queue describes an SQS queue and its dead-letter queue.
type Queue struct {
	// Name is the logical name, without the ".fifo" suffix.
	Name string
	// EnvVar is the environment variable that carries the queue URL.
	EnvVar string
	FIFO   bool
	// VisibilityTimeout is at least six times its consumer's timeout, as
	// AWS advises for event source mappings (the routes test checks it).
	VisibilityTimeout time.Duration
	// MaxReceives is how many receives a message gets before it moves to the
	// dead-letter queue.
	MaxReceives int
	// Retention is how long messages (and dead letters) are kept.
	Retention time.Duration
	// Subscribes is the topic the queue is subscribed to (raw delivery),
	// for the EventTypes it reads; nil for a queue fed directly.
	Subscribes *Topic
	EventTypes []string
}

// The tables: one per bounded context (see DESIGN.md).
var (
	Catalog = Table{
		Name: "catalog", EnvVar: "JIAOYI_TABLE_CATALOG",
		PartitionKey: "pk", SortKey: "sk",
		Indexes: []Index{
			// Products by category, newest first.
			{Name: "gsi1", PartitionKey: "gsi1pk", SortKey: "gsi1sk"},
			// Products by merchant, newest first.
			{Name: "gsi2", PartitionKey: "gsi2pk", SortKey: "gsi2sk"},
		},
		// Stock and slots are what orders hold: recoverable to any second.
		PointInTimeRecovery: true,
		// Product changes reach the search index's rebuild.
		Stream: true,
	}
	Orders = Table{
		Name: "orders", EnvVar: "JIAOYI_TABLE_ORDERS",
		PartitionKey: "pk", SortKey: "sk",
		Indexes: []Index{
			// A customer's orders, newest first.
			{Name: "gsi1", PartitionKey: "gsi1pk", SortKey: "gsi1sk"},
			// Held reservations by expiry (the sweep) and pending outbox
			// events (the relay); their partition keys keep them apart.
			{Name: "gsi2", PartitionKey: "gsi2pk", SortKey: "gsi2sk"},
		},
		TTLAttribute:        "ttl",
		PointInTimeRecovery: true,
	}
	Payments = Table{
		Name: "payments", EnvVar: "JIAOYI_TABLE_PAYMENTS",
		PartitionKey: "pk", SortKey: "sk",
		Indexes: []Index{
			// Intents by provider reference, to map a webhook to an order.
			{Name: "gsi1", PartitionKey: "gsi1pk", SortKey: "gsi1sk"},
		},
		TTLAttribute:        "ttl",
		PointInTimeRecovery: true,
	}
	Ledger = Table{
		Name: "ledger", EnvVar: "JIAOYI_TABLE_LEDGER",
		PartitionKey: "pk", SortKey: "sk",
		Indexes: []Index{
			// Journal entries by settlement day.
			{Name: "gsi1", PartitionKey: "gsi1pk", SortKey: "gsi1sk"},
		},
		PointInTimeRecovery: true,
	}
	Analytics = Table{
		Name: "analytics", EnvVar: "JIAOYI_TABLE_ANALYTICS",
		PartitionKey: "pk", SortKey: "sk",
		// Consumers' processed-event marks and velocity counters expire.
		TTLAttribute: "ttl",
	}
)

// The queues.
var (
	// PaymentTimeouts carries delayed "check this hold" messages.
	PaymentTimeouts = Queue{
		Name: "payment-timeouts", EnvVar: "JIAOYI_QUEUE_PAYMENT_TIMEOUTS",
		VisibilityTimeout: 6 * 30 * time.Second, MaxReceives: 5, Retention: 4 * 24 * time.Hour,
	}
	// PaymentEvents carries verified webhook events, in order per order id.
	PaymentEvents = Queue{
		Name: "payment-events", EnvVar: "JIAOYI_QUEUE_PAYMENT_EVENTS", FIFO: true,
		VisibilityTimeout: 6 * 30 * time.Second, MaxReceives: 5, Retention: 4 * 24 * time.Hour,
	}
	// LedgerEvents feeds the ledger's postings: every event that moves money.
	LedgerEvents = Queue{
		Name: "ledger-events", EnvVar: "JIAOYI_QUEUE_LEDGER_EVENTS",
		VisibilityTimeout: 6 * 30 * time.Second, MaxReceives: 5, Retention: 4 * 24 * time.Hour,
		Subscribes: &Events, EventTypes: []string{"OrderPaid", "RefundSucceeded", "RefundFailed", "DisputeOpened", "DisputeClosed"},
	}
)

// RecommendEvents feeds the co-purchase counts behind "also bought".
var RecommendEvents = Queue{
	Name: "recommend-events", EnvVar: "JIAOYI_QUEUE_RECOMMEND_EVENTS",
	VisibilityTimeout: 6 * 30 * time.Second, MaxReceives: 5, Retention: 4 * 24 * time.Hour,
	Subscribes: &Events, EventTypes: []string{"OrderPaid"},
}

// ForecastEvents feeds the daily demand history behind forecasts.
var ForecastEvents = Queue{
	Name: "forecast-events", EnvVar: "JIAOYI_QUEUE_FORECAST_EVENTS",
	VisibilityTimeout: 6 * 30 * time.Second, MaxReceives: 5, Retention: 4 * 24 * time.Hour,
	Subscribes: &Events, EventTypes: []string{"OrderPaid", "RefundSucceeded", "RefundFailed"},
}

// ForecastJobs carries the nightly forecast run's batches of SKUs; a batch
// takes seconds, so the visibility timeout covers a slow one six times.
var ForecastJobs = Queue{
	Name: "forecast-jobs", EnvVar: "JIAOYI_QUEUE_FORECAST_JOBS",
	VisibilityTimeout: 6 * 5 * time.Minute, MaxReceives: 3, Retention: 2 * 24 * time.Hour,
}

// Topic is an SNS topic that fans events out to the queues subscribed to it.
type Topic struct {
	// Name is the logical name; the physical name is a prefix plus Name.
	Name string
	// EnvVar carries the topic's ARN.
	EnvVar string
}

// Events is the domain-event topic the outbox relay publishes to; each
// consumer's queue subscribes to it with raw delivery and a filter on the
// event types it reads (the message attribute "type").
var Events = Topic{Name: "events", EnvVar: "JIAOYI_TOPIC_EVENTS"}

// Topics returns every topic.
func Topics() []Topic { return []Topic{Events} }

// PhysicalName is the topic name under prefix.
func (t Topic) PhysicalName(prefix string) string { return prefix + t.Name }

// FilterPolicy is the subscription filter of a subscribed queue: its event
// types, matched on the "type" message attribute.
func (q Queue) FilterPolicy() map[string][]string {
	return map[string][]string{"type": q.EventTypes}
}

// Bucket is an S3 bucket.
type Bucket struct {
	// Name is the logical name; the physical name is a prefix plus Name
	// (lower case, as S3 wants).
	Name string
	// EnvVar carries the bucket's name to the functions that use it.
	EnvVar string
}

// SearchSnapshots holds the product search index: read-only snapshots
// published by the rebuild and a manifest naming the current one.
var SearchSnapshots = Bucket{Name: "search-snapshots", EnvVar: "JIAOYI_SEARCH_BUCKET"}

// SettlementExports holds each settlement batch's statement as CSV,
// written when the batch closes and linked from the statement route.
var SettlementExports = Bucket{Name: "settlement-exports", EnvVar: "JIAOYI_EXPORTS_BUCKET"}

// Buckets returns every bucket.
func Buckets() []Bucket { return []Bucket{SearchSnapshots, SettlementExports} }

// PhysicalName is the bucket name under prefix, within S3's 63
// characters (a long one is cut and keeps a hash of the whole).
func (b Bucket) PhysicalName(prefix string) string {
	name := strings.ToLower(prefix + b.Name)
	if len(name) <= 63 {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return strings.TrimRight(name[:50], "-.") + "-" + hex.EncodeToString(sum[:6])
}

// Tables returns every table.
func Tables() []Table { return []Table{Catalog, Orders, Payments, Ledger, Analytics} }

// Queues returns every queue.
func Queues() []Queue {
	return []Queue{PaymentTimeouts, PaymentEvents, LedgerEvents, RecommendEvents, ForecastEvents, ForecastJobs}
}

// PhysicalName is the table name under prefix (for example "jiaoyi-dev-").
func (t Table) PhysicalName(prefix string) string { return prefix + t.Name }

// PhysicalName is the queue name under prefix, with ".fifo" for FIFO queues.
func (q Queue) PhysicalName(prefix string) string {
	n := prefix + q.Name
	if q.FIFO {
		n += ".fifo"
	}
	return n
}

// DeadLetterName is the name of q's dead-letter queue under prefix; it is
// FIFO when q is, as SQS requires.
func (q Queue) DeadLetterName(prefix string) string {
	n := prefix + q.Name + "-dlq"
	if q.FIFO {
		n += ".fifo"
	}
	return n
}

// DeadLetterEnvVar is the environment variable carrying the DLQ's URL.
func (q Queue) DeadLetterEnvVar() string { return q.EnvVar + "_DLQ" }

// ValidPrefix reports whether prefix is usable in table and queue names:
// letters, digits, '-' and '_' only (the intersection of both services' rules).
func ValidPrefix(prefix string) bool {
	return strings.IndexFunc(prefix, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) < 0
}
