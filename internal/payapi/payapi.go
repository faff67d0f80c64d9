// Package payapi serves the payment area: the webhook endpoint providers
// call, the consumer that applies their events to orders in order per
// order, and the relay of the order outbox.
package payapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/stripe"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/webhook"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/secrets"
)

// WebhookConfig is what the webhook endpoint reads from the environment.
// Secrets are comma-separated; several are active while one rotates. In
// AWS they come from Secrets Manager through the function's configuration,
// never from code; they are never logged.
type WebhookConfig struct {
	PaymentsTable  string `env:"JIAOYI_TABLE_PAYMENTS,required,notEmpty"`
	EventsQueueURL string `env:"JIAOYI_QUEUE_PAYMENT_EVENTS,required,notEmpty"`
	// WebhookSecretID names the Secrets Manager secret holding the signing
	// secrets (in AWS); locally the plain variables below.
	WebhookSecretID string   `env:"JIAOYI_SECRET_WEBHOOKS"`
	SandboxSecrets  []string `env:"JIAOYI_WEBHOOK_SECRETS_SANDBOX" envSeparator:","`
	StripeSecrets   []string `env:"JIAOYI_WEBHOOK_SECRETS_STRIPE" envSeparator:","`
	LogLevel        string   `env:"LOG_LEVEL" envDefault:"info"`
}

// Providers returns the configured providers' signing schemes.
func (c WebhookConfig) Providers() map[string]webhook.Provider {
	ps := map[string]webhook.Provider{}
	if s := nonEmpty(c.SandboxSecrets); len(s) > 0 {
		ps[sandbox.Name] = webhook.Provider{Header: sandbox.SignatureHeader, Secrets: s, Parse: sandbox.ParseEvent}
	}
	if s := nonEmpty(c.StripeSecrets); len(s) > 0 {
		ps[stripe.Name] = webhook.Provider{Header: stripe.SignatureHeader, Secrets: s, Parse: stripe.ParseEvent}
	}
	return ps
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Webhooks answers POST /webhooks/{provider}.
type Webhooks struct {
	Receiver *webhook.Receiver
	// Metrics receives business metrics (nil: none).
	Metrics *metrics.Recorder
}

// NewReceiveWebhook builds the webhook handler from the environment.
func NewReceiveWebhook(ctx context.Context) (apigw.Handler, error) {
	cfg, err := config.Load[WebhookConfig]()
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	err = secrets.Fill(ctx, secretsmanager.NewFromConfig(awsCfg), cfg.WebhookSecretID, map[string]func(string){
		secrets.SandboxWebhooks: func(v string) { cfg.SandboxSecrets = strings.Split(v, ",") },
		secrets.StripeWebhooks:  func(v string) { cfg.StripeSecrets = strings.Split(v, ",") },
	})
	if err != nil {
		return nil, err
	}
	w := &Webhooks{Metrics: metrics.New(os.Stdout, "pay-webhook"), Receiver: &webhook.Receiver{
		DB: dynamodb.NewFromConfig(awsCfg), Table: cfg.PaymentsTable,
		Queue: sqs.NewFromConfig(awsCfg), QueueURL: cfg.EventsQueueURL,
		Providers: cfg.Providers(), Now: time.Now,
	}}
	return apigw.Wrap(logging.New(os.Stdout, cfg.LogLevel), w.Receive), nil
}

// Receive verifies the signature over the raw body before anything else,
// records and enqueues the event, and answers 200 only once it is safely
// queued; otherwise 4xx (bad signature, nothing stored) or 503 (retry).
func (w *Webhooks) Receive(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	provider := req.PathParameters["provider"]
	if provider == "" {
		// Prod routes each provider's path on its own (/webhooks/stripe).
		provider = path.Base(req.RawPath)
	}
	p, ok := w.Receiver.Providers[provider]
	if !ok {
		return apigw.Response{}, webhook.ErrUnknownProvider
	}
	body, err := apigw.Body(req)
	if err != nil {
		return apigw.Response{}, err
	}
	res, err := w.Receiver.Receive(ctx, provider, apigw.Header(req, p.Header), body)
	log := logging.From(ctx)
	if err != nil {
		// Neither the body nor the signature is logged.
		log.Warn("webhook refused", "provider", provider, "code", problem.CodeOf(err), "bytes", len(body))
		w.Metrics.Add("WebhooksRefused", 1, metrics.Count, map[string]any{"provider": provider, "code": problem.CodeOf(err)})
		return apigw.Response{}, err
	}
	log.Info("webhook accepted", "provider", provider, "events", res.Events, "enqueued", res.Enqueued, "duplicates", res.Duplicates)
	w.Metrics.Add("WebhookEventsEnqueued", float64(res.Enqueued), metrics.Count, map[string]any{"provider": provider, "duplicates": res.Duplicates})
	return apigw.JSON(http.StatusOK, map[string]int{"events": res.Events, "enqueued": res.Enqueued, "duplicates": res.Duplicates})
}

// EventConsumer applies queued payment events to orders.
type EventConsumer struct {
	Checkout *checkout.Service
	Log      *slog.Logger
}

// NewApplyPaymentEvents builds the payment-events consumer from the environment.
func NewApplyPaymentEvents(ctx context.Context) (func(context.Context, events.SQSEvent) (events.SQSEventResponse, error), error) {
	svc, log, err := checkoutService(ctx)
	if err != nil {
		return nil, err
	}
	return (&EventConsumer{Checkout: svc, Log: log}).Handle, nil
}

// Handle applies a batch from the FIFO queue. A message that fails is
// reported as a batch item failure (retried, and after the queue's receive
// limit moved to its dead-letter queue); so are the messages after it in
// the same group, so an order's events are never applied out of order. An
// event for an order not stored yet fails too: it is parked and retried.
func (c *EventConsumer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	failedGroups := map[string]bool{}
	for _, rec := range ev.Records {
		group := rec.Attributes["MessageGroupId"]
		fail := func() {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			failedGroups[group] = true
		}
		if failedGroups[group] {
			fail()
			continue
		}
		log := c.Log.With("message_id", rec.MessageId)
		var e payment.Event
		dec := json.NewDecoder(strings.NewReader(rec.Body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil || (e.OrderID == "" && e.IntentID == "") || e.ID == "" {
			log.Error("malformed payment event", "error", err)
			fail()
			continue
		}
		if err := c.Checkout.ApplyPayment(logging.With(ctx, log), e); err != nil {
			log.Error("apply payment event", "order_id", e.OrderID, "event_id", e.ID, "error", err)
			fail()
		}
	}
	return resp, nil
}

// NewRelayOutbox builds the scheduled relay of unsent outbox events.
func NewRelayOutbox(ctx context.Context) (func(context.Context, json.RawMessage) (int, error), error) {
	svc, log, err := checkoutService(ctx)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ json.RawMessage) (int, error) {
		n, pending, err := svc.RelayOutbox(logging.With(ctx, log), 500)
		log.Info("outbox relay", "sent", n, "pending", pending, "error", err)
		// What was still waiting for this sweep: alarmed on when it grows.
		svc.Metrics.Add("OutboxBacklog", float64(pending-n), metrics.Count, nil)
		return n, err
	}, nil
}

func checkoutService(ctx context.Context) (*checkout.Service, *slog.Logger, error) {
	svc, cfg, _, log, err := checkout.FromEnv(ctx)
	if err != nil {
		return nil, nil, err
	}
	if cfg.EventsTopicARN == "" {
		return nil, nil, fmt.Errorf("config: JIAOYI_TOPIC_EVENTS is required")
	}
	return svc, log, nil
}
