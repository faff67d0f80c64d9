// Command webhookbench measures payment webhooks end to end against the
// emulator (or AWS_ENDPOINT_URL): for each paid order it delivers a signed
// sandbox webhook to the real handler, then applies the queued event with
// the real consumer, and reports per event the handling time and the AWS
// calls of each step, and of a duplicate delivery.
//
//	go run ./cmd/webhookbench -events 100
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/capacity"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/emulator"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/signature"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/webhook"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
)

const secret = "whsec_bench"

type step struct {
	name  string
	times []time.Duration
	meter *capacity.Meter
	calls map[string]int
	n     int
}

func (s *step) record(d time.Duration) {
	s.times = append(s.times, d)
	for k, v := range s.meter.Calls {
		s.calls[k] += v
	}
	s.n++
	s.meter.Reset()
}

func main() {
	n := flag.Int("events", 100, "paid orders, one success webhook each")
	flag.Parse()
	if err := run(*n); err != nil {
		fmt.Fprintln(os.Stderr, "webhookbench:", err)
		os.Exit(1)
	}
}

func run(n int) error {
	ctx := context.Background()
	slog.SetDefault(logging.New(io.Discard, "error")) // the placements' own lines
	_, stop, err := emulator.EnsureEnv(ctx)
	if err != nil {
		return err
	}
	defer stop()
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return err
	}
	env, err := provision.All(ctx, awsCfg, fmt.Sprintf("bench-%d-", time.Now().UnixNano()))
	if err != nil {
		return err
	}
	plainDB, plainSQS := dynamodb.NewFromConfig(awsCfg), sqs.NewFromConfig(awsCfg)
	b := demo.Catalog()
	p := b.Products[0]
	var skus []catalog.SKU
	for _, s := range b.SKUs {
		if s.ProductID == p.ID {
			s.Available = int64(n) * 2
			skus = append(skus, s)
		}
	}
	if err := catalog.NewRepository(plainDB, env[resource.Catalog.EnvVar]).Write(ctx, catalog.Batch{Products: []catalog.Product{p}, SKUs: skus}); err != nil {
		return err
	}
	cfg := checkout.Config{CatalogTable: env[resource.Catalog.EnvVar], OrdersTable: env[resource.Orders.EnvVar], PaymentsTable: env[resource.Payments.EnvVar],
		TimeoutQueueURL: env[resource.PaymentTimeouts.EnvVar], EventsTopicARN: env[resource.Events.EnvVar], Hold: 15 * time.Minute, MaxUnpaidOrders: 1 << 20, MaxHeldUnits: 1 << 30}
	provider := sandbox.New(plainDB, cfg.PaymentsTable)
	placer := checkout.New(plainDB, cfg, provider, plainSQS, sns.NewFromConfig(awsCfg))

	intake := &step{name: "webhook intake (verify, record, enqueue)", meter: capacity.NewMeter(), calls: map[string]int{}}
	dup := &step{name: "duplicate delivery", meter: intake.meter, calls: map[string]int{}}
	apply := &step{name: "apply event (consumer: PAID + outbox + relay)", meter: capacity.NewMeter(), calls: map[string]int{}}
	meteredDB := func(m *capacity.Meter) *dynamodb.Client {
		return dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, m.Middleware) })
	}
	meteredSQS := func(m *capacity.Meter) *sqs.Client {
		return sqs.NewFromConfig(awsCfg, func(o *sqs.Options) { o.APIOptions = append(o.APIOptions, m.Middleware) })
	}
	meteredSNS := func(m *capacity.Meter) *sns.Client {
		return sns.NewFromConfig(awsCfg, func(o *sns.Options) { o.APIOptions = append(o.APIOptions, m.Middleware) })
	}
	wh := &payapi.Webhooks{Receiver: &webhook.Receiver{
		DB: meteredDB(intake.meter), Table: cfg.PaymentsTable, Queue: meteredSQS(intake.meter), QueueURL: env[resource.PaymentEvents.EnvVar],
		Providers: payapi.WebhookConfig{SandboxSecrets: []string{secret}}.Providers(), Now: time.Now,
	}}
	handler := apigw.Wrap(logging.New(io.Discard, "error"), wh.Receive)
	consumer := &payapi.EventConsumer{
		Checkout: checkout.New(meteredDB(apply.meter), cfg, sandbox.New(meteredDB(apply.meter), cfg.PaymentsTable), meteredSQS(apply.meter), meteredSNS(apply.meter)),
		Log:      logging.New(io.Discard, "error"),
	}

	for i := range n {
		o, err := placer.Place(ctx, fmt.Sprintf("bench-%d", i), order.PlaceRequest{
			Lines:      []order.LineRequest{{SKUID: skus[0].ID, Quantity: 1}},
			Fulfilment: order.Fulfilment{Type: order.Ship, Address: &order.Address{Name: "n", Phone: "1", Line1: "l", City: "c", Country: "CN"}},
		}, nil)
		if err != nil {
			return err
		}
		in, err := provider.Succeed(ctx, o.Payment.ID)
		if err != nil {
			return err
		}
		body := sandbox.EventBody(sandbox.NewEventID(), sandbox.TypeSucceeded, in, time.Now())
		req := apigw.Request{RouteKey: "POST /webhooks/{provider}", RawPath: "/webhooks/sandbox", Body: string(body),
			PathParameters: map[string]string{"provider": "sandbox"},
			Headers:        map[string]string{"content-type": "application/json", "sandbox-signature": signature.Sign(body, time.Now(), secret)}}
		intake.meter.Reset()
		start := time.Now()
		resp, _ := handler(ctx, req)
		intake.record(time.Since(start))
		if resp.StatusCode != 200 {
			return fmt.Errorf("webhook answered %d: %s", resp.StatusCode, resp.Body)
		}
		start = time.Now()
		resp, _ = handler(ctx, req)
		dup.record(time.Since(start))
		if resp.StatusCode != 200 {
			return fmt.Errorf("duplicate answered %d", resp.StatusCode)
		}
		url := env[resource.PaymentEvents.EnvVar]
		out, err := plainSQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 1,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		if err != nil || len(out.Messages) != 1 {
			return fmt.Errorf("receive queued event: %d messages, %v", len(out.Messages), err)
		}
		m := out.Messages[0]
		apply.meter.Reset()
		start = time.Now()
		res, err := consumer.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: aws.ToString(m.MessageId), Body: aws.ToString(m.Body), Attributes: m.Attributes}}})
		apply.record(time.Since(start))
		if err != nil || len(res.BatchItemFailures) > 0 {
			return fmt.Errorf("apply failed: %v %v", res.BatchItemFailures, err)
		}
		_, _ = plainSQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%d success webhooks, each delivered twice, against %s\n", n, os.Getenv("AWS_ENDPOINT_URL"))
	for _, s := range []*step{intake, dup, apply} {
		slices.Sort(s.times)
		var sum time.Duration
		for _, d := range s.times {
			sum += d
		}
		fmt.Fprintf(tw, "%s\tmean %s\tp50 %s\tp95 %s\n", s.name, (sum / time.Duration(len(s.times))).Round(time.Microsecond),
			s.times[len(s.times)/2].Round(time.Microsecond), s.times[len(s.times)*95/100].Round(time.Microsecond))
		keys := make([]string, 0, len(s.calls))
		total := 0.0
		for k, v := range s.calls {
			keys = append(keys, k)
			total += float64(v)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %.2f", k, float64(s.calls[k])/float64(s.n)))
		}
		fmt.Fprintf(tw, "  AWS calls per event\t%.2f\t(%s)\n", total/float64(s.n), strings.Join(parts, ", "))
	}
	return tw.Flush()
}
