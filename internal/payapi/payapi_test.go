package payapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/signature"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/webhook"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

const secret = "whsec_test_current"

type fixture struct {
	env     provision.Env
	handler apigw.Handler
	db      *dynamodb.Client
	sqs     *sqs.Client
	logs    *strings.Builder
}

func newFixture(t *testing.T, queueURL string) *fixture {
	t.Helper()
	env := awstest.Tables(t, resource.Payments)
	for k, v := range awstest.Queues(t) {
		env[k] = v
	}
	if queueURL == "" {
		queueURL = env[resource.PaymentEvents.EnvVar]
	}
	f := &fixture{env: env, db: awstest.DynamoDB(t), sqs: awstest.SQS(t), logs: new(strings.Builder)}
	w := &payapi.Webhooks{Receiver: &webhook.Receiver{
		DB: f.db, Table: env[resource.Payments.EnvVar], Queue: f.sqs, QueueURL: queueURL,
		Providers: payapi.WebhookConfig{SandboxSecrets: []string{secret, "whsec_test_old"}}.Providers(), Now: time.Now,
	}}
	f.handler = apigw.Wrap(logging.New(f.logs, "debug"), w.Receive)
	return f
}

func webhookRequest(provider string, body []byte, signature string) apigw.Request {
	r := events.APIGatewayV2HTTPRequest{RouteKey: "POST /webhooks/{provider}", RawPath: "/webhooks/" + provider, Body: string(body),
		Headers: map[string]string{"content-type": "application/json"}, PathParameters: map[string]string{"provider": provider}}
	if signature != "" {
		r.Headers["sandbox-signature"] = signature
	}
	r.RequestContext.HTTP.Method = http.MethodPost
	return r
}

func (f *fixture) receipts(t *testing.T) int {
	t.Helper()
	out, err := f.db.Scan(context.Background(), &dynamodb.ScanInput{
		TableName: aws.String(f.env[resource.Payments.EnvVar]), FilterExpression: aws.String("sk = :r"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":r": &types.AttributeValueMemberS{Value: "RECEIPT"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Items)
}

// drain receives and deletes every message of the payment-events queue.
func (f *fixture) drain(t *testing.T) []sqstypes.Message {
	t.Helper()
	url := f.env[resource.PaymentEvents.EnvVar]
	var all []sqstypes.Message
	for {
		out, err := f.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return all
		}
		for _, m := range out.Messages {
			all = append(all, m)
			_, _ = f.sqs.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
		}
	}
}

func intent() payment.Intent {
	return payment.Intent{Provider: "sandbox", ID: "pi_sbx_1", OrderID: "ord_aaaaaaaaaaaaaaaa", Amount: money.Money{Amount: 1280, Currency: "CNY"}, Status: payment.Succeeded}
}

func TestDuplicateDeliveriesAreRecordedAndQueuedOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "")
	body := sandbox.EventBody("evt_dup", sandbox.TypeSucceeded, intent(), time.Now())
	for i := range 10 {
		req := webhookRequest("sandbox", body, signature.Sign(body, time.Now(), secret))
		resp, err := f.handler(ctx, req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("delivery %d: %d %s", i, resp.StatusCode, resp.Body)
		}
		if err := api.Check(req, resp); err != nil {
			t.Error(err)
		}
	}
	if got := f.receipts(t); got != 1 {
		t.Errorf("%d receipts, want 1", got)
	}
	msgs := f.drain(t)
	if len(msgs) != 1 {
		t.Fatalf("%d messages queued, want 1", len(msgs))
	}
	if g := msgs[0].Attributes["MessageGroupId"]; g != "ord_aaaaaaaaaaaaaaaa" {
		t.Errorf("message group %q, want the order id", g)
	}
	var ev payment.Event
	if err := json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &ev); err != nil || ev.Type != payment.EventSucceeded || ev.IntentID != "pi_sbx_1" || ev.Amount.Amount != 1280 {
		t.Errorf("queued event %+v, %v", ev, err)
	}
}

func TestRefusedWebhooksStoreNothingAndLeakNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "")
	body := sandbox.EventBody("evt_bad", sandbox.TypeSucceeded, intent(), time.Now())
	tests := []struct {
		name       string
		provider   string
		body       []byte
		signature  string
		wantStatus int
	}{
		{"no signature", "sandbox", body, "", 400},
		{"malformed signature", "sandbox", body, "sha256=abc", 400},
		{"wrong secret", "sandbox", body, signature.Sign(body, time.Now(), "whsec_attacker"), 401},
		{"stale", "sandbox", body, signature.Sign(body, time.Now().Add(-10*time.Minute), secret), 401},
		{"from the future", "sandbox", body, signature.Sign(body, time.Now().Add(10*time.Minute), secret), 401},
		{"tampered body", "sandbox", []byte(strings.Replace(string(body), "1280", "1", 1)), signature.Sign(body, time.Now(), secret), 401},
		{"over-size body", "sandbox", []byte(`{"pad":"` + strings.Repeat("x", signature.MaxBody) + `"}`), signature.Sign(body, time.Now(), secret), 413},
		{"unknown provider", "paypal", body, signature.Sign(body, time.Now(), secret), 404},
		{"signed but not an event", "sandbox", []byte(`[1,2]`), signature.Sign([]byte(`[1,2]`), time.Now(), secret), 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.logs.Reset()
			resp, _ := f.handler(ctx, webhookRequest(tt.provider, tt.body, tt.signature))
			if resp.StatusCode != tt.wantStatus || resp.Headers["Content-Type"] != "application/problem+json" {
				t.Errorf("got %d %s, want %d problem+json", resp.StatusCode, resp.Body, tt.wantStatus)
			}
			for _, leak := range []string{secret, "whsec_attacker", "pi_sbx_1", tt.signature} {
				if leak != "" && strings.Contains(f.logs.String(), leak) {
					t.Errorf("log leaks %q: %s", leak, f.logs.String())
				}
			}
		})
	}
	if got := f.receipts(t); got != 0 {
		t.Errorf("%d receipts after refused webhooks, want 0", got)
	}
	if got := f.drain(t); len(got) != 0 {
		t.Errorf("%d messages after refused webhooks, want 0", len(got))
	}
	// An intent jiaoyi did not create (no order id) is acknowledged and dropped.
	foreign := intent()
	foreign.OrderID = ""
	fb := sandbox.EventBody("evt_foreign", sandbox.TypeSucceeded, foreign, time.Now())
	if resp, _ := f.handler(ctx, webhookRequest("sandbox", fb, signature.Sign(fb, time.Now(), secret))); resp.StatusCode != 200 || !strings.Contains(resp.Body, `"events":0`) {
		t.Errorf("foreign intent: %d %s, want 200 with nothing taken", resp.StatusCode, resp.Body)
	}
	if got := f.receipts(t); got != 0 {
		t.Errorf("%d receipts after a foreign event, want 0", got)
	}
	// An event type the saga does not use is acknowledged and dropped.
	other := []byte(`{"id":"evt_c","object":"event","type":"customer.created","created":1,"data":{"object":{}}}`)
	if resp, _ := f.handler(ctx, webhookRequest("sandbox", other, signature.Sign(other, time.Now(), secret))); resp.StatusCode != 200 {
		t.Errorf("unused event type: %d", resp.StatusCode)
	}
}

// A crash (or SQS outage) between recording the receipt and enqueueing:
// not acknowledged, so the provider retries, and the retry enqueues it.
func TestEnqueueFailureIsRetriedByTheProvider(t *testing.T) {
	ctx := context.Background()
	good := newFixture(t, "")
	broken := &payapi.Webhooks{Receiver: &webhook.Receiver{
		DB: good.db, Table: good.env[resource.Payments.EnvVar], Queue: good.sqs, QueueURL: good.env[resource.PaymentEvents.EnvVar] + "-gone",
		Providers: payapi.WebhookConfig{SandboxSecrets: []string{secret}}.Providers(), Now: time.Now,
	}}
	h := apigw.Wrap(logging.New(new(strings.Builder), "error"), broken.Receive)
	body := sandbox.EventBody("evt_retry", sandbox.TypeSucceeded, intent(), time.Now())
	resp, _ := h(ctx, webhookRequest("sandbox", body, signature.Sign(body, time.Now(), secret)))
	if resp.StatusCode != 503 {
		t.Fatalf("enqueue failure answered %d, want 503 so the provider retries", resp.StatusCode)
	}
	resp, _ = good.handler(ctx, webhookRequest("sandbox", body, signature.Sign(body, time.Now(), secret)))
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"enqueued":1`) {
		t.Fatalf("retry: %d %s, want it enqueued", resp.StatusCode, resp.Body)
	}
	if n := len(good.drain(t)); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}
