package checkout_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// sentQueue forwards to the real SQS client and records what was sent.
type sentQueue struct {
	*sqs.Client
	mu   sync.Mutex
	sent []*sqs.SendMessageInput
}

func (q *sentQueue) SendMessage(ctx context.Context, in *sqs.SendMessageInput, opt ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	q.mu.Lock()
	q.sent = append(q.sent, in)
	q.mu.Unlock()
	return q.Client.SendMessage(ctx, in, opt...)
}

func (q *sentQueue) Sent() []*sqs.SendMessageInput {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]*sqs.SendMessageInput(nil), q.sent...)
}

// env is a checkout on fresh tables with a small catalog.
type env struct {
	svc    *checkout.Service
	db     *dynamodb.Client
	cfg    checkout.Config
	clock  *clock
	queue  *sentQueue
	events *sns.Client
	// eventsURL is a queue subscribed to the events topic.
	eventsURL string
	payments  *sandbox.Provider
	catalog   *catalog.Repository
	// skus[i] has stock stock[i] and price 1000*(i+1) CNY.
	skus     []string
	stock    []int64
	usdSKU   string
	inactive string // a SKU of an inactive product
	store    string
	slot     string // capacity 5, tomorrow
	past     string // a slot that started an hour ago
}

func newEnv(t *testing.T, stock ...int64) *env {
	t.Helper()
	ctx := context.Background()
	db := awstest.DynamoDB(t)
	tables := awstest.Tables(t, resource.Catalog, resource.Orders, resource.Payments)
	q := &sentQueue{Client: awstest.SQS(t)}
	prefix := awstest.Prefix(t)
	url, _, err := provision.Queue(ctx, q.Client, resource.PaymentTimeouts, prefix)
	if err != nil {
		t.Fatal(err)
	}
	eventsURL, _, err := provision.Queue(ctx, q.Client, resource.LedgerEvents, prefix)
	if err != nil {
		t.Fatal(err)
	}
	topics, err := provision.Topics(ctx, sns.NewFromConfig(awstest.Config(t)), q.Client, prefix, provision.Env{resource.LedgerEvents.EnvVar: eventsURL})
	if err != nil {
		t.Fatal(err)
	}
	cfg := checkout.Config{
		CatalogTable: tables[resource.Catalog.EnvVar], OrdersTable: tables[resource.Orders.EnvVar],
		PaymentsTable: tables[resource.Payments.EnvVar], TimeoutQueueURL: url, Hold: 15 * time.Minute,
		EventsTopicARN: topics[resource.Events.EnvVar], MaxUnpaidOrders: 1000, MaxHeldUnits: 100000,
	}
	events := sns.NewFromConfig(awstest.Config(t))
	clk := &clock{now: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
	e := &env{db: db, cfg: cfg, clock: clk, queue: q, events: events, eventsURL: eventsURL, payments: sandbox.New(db, cfg.PaymentsTable),
		catalog: catalog.NewRepository(db, cfg.CatalogTable), stock: stock}
	e.svc = checkout.New(db, cfg, e.payments, q, events)
	e.svc.Now = clk.Now

	var b catalog.Batch
	pid := id.New(id.Product)
	p := catalog.Product{ID: pid, Name: catalog.Text{ZH: "龙井", EN: "Longjing"}, Category: "tea", Status: catalog.Active, CreatedAt: clk.now}
	for i, n := range stock {
		s := catalog.SKU{ID: id.New(id.SKU), ProductID: pid, Price: money.Money{Amount: 1000 * int64(i+1), Currency: "CNY"}, Available: n}
		b.SKUs = append(b.SKUs, s)
		p.SKUIDs = append(p.SKUIDs, s.ID)
		e.skus = append(e.skus, s.ID)
	}
	e.usdSKU = id.New(id.SKU)
	b.SKUs = append(b.SKUs, catalog.SKU{ID: e.usdSKU, ProductID: pid, Price: money.Money{Amount: 500, Currency: "USD"}, Available: 100})
	p.SKUIDs = append(p.SKUIDs, e.usdSKU)
	off := catalog.Product{ID: id.New(id.Product), Name: catalog.Text{ZH: "停售", EN: "Discontinued"}, Status: catalog.Inactive, CreatedAt: clk.now}
	e.inactive = id.New(id.SKU)
	off.SKUIDs = []string{e.inactive}
	b.SKUs = append(b.SKUs, catalog.SKU{ID: e.inactive, ProductID: off.ID, Price: money.Money{Amount: 100, Currency: "CNY"}, Available: 100})
	b.Products = []catalog.Product{p, off}
	e.store = id.New(id.Store)
	b.Stores = []catalog.Store{{ID: e.store, Name: catalog.Text{ZH: "静安店", EN: "Jing'an"}, Timezone: "Asia/Shanghai"}}
	e.slot, e.past = id.New(id.Slot), id.New(id.Slot)
	tomorrow := clk.now.Add(24 * time.Hour)
	b.Slots = []catalog.Slot{
		{ID: e.slot, StoreID: e.store, ServiceID: "fitting", Start: tomorrow, End: tomorrow.Add(30 * time.Minute), Capacity: 5},
		{ID: e.past, StoreID: e.store, ServiceID: "fitting", Start: clk.now.Add(-time.Hour), End: clk.now.Add(-30 * time.Minute), Capacity: 5},
	}
	if err := e.catalog.Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	return e
}

func shipTo() order.Fulfilment {
	return order.Fulfilment{Type: order.Ship, Address: &order.Address{
		Name: "王小明", Phone: "+86 138 0000 0000", Line1: "南京西路1266号", City: "上海", Country: "CN",
	}}
}

// available reads a SKU's stock.
func (e *env) available(t *testing.T, skuID string) int64 {
	t.Helper()
	skus, err := e.catalog.SKUs(context.Background(), []string{skuID})
	if err != nil {
		t.Fatal(err)
	}
	return skus[skuID].Available
}

// booked reads a slot's bookings.
func (e *env) booked(t *testing.T, slotID string) int {
	t.Helper()
	f, err := e.catalog.Lookup(context.Background(), catalog.Keys{Slots: []string{slotID}})
	if err != nil {
		t.Fatal(err)
	}
	return f.Slots[slotID].Booked
}

// count returns how many items of the Orders table have sk.
func (e *env) count(t *testing.T, sk string) int {
	t.Helper()
	n := 0
	p := dynamodb.NewScanPaginator(e.db, &dynamodb.ScanInput{
		TableName:                 aws.String(e.cfg.OrdersTable),
		FilterExpression:          aws.String("sk = :sk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":sk": &types.AttributeValueMemberS{Value: sk}},
	})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Items)
	}
	return n
}
