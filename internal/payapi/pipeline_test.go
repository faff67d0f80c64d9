package payapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/signature"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

// The whole path: webhook → receipt → FIFO queue → consumer → order, with
// deliveries duplicated and reversed, and a message that fails holding
// back the rest of its order's group.
func TestWebhookToOrderPipeline(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	f := newFixture(t, env[resource.PaymentEvents.EnvVar])
	f.env = env
	svc := checkouttest.Service(t, env, nil)
	consumer := &payapi.EventConsumer{Checkout: svc, Log: logging.New(new(strings.Builder), "error")}
	pay := sandbox.New(awstest.DynamoDB(t), env[resource.Payments.EnvVar])

	paid := checkouttest.PlaceOrder(t, env, nil)
	failedThenNothing := checkouttest.PlaceOrder(t, env, nil)
	in, err := pay.Succeed(ctx, paid.Payment.ID)
	if err != nil {
		t.Fatal(err)
	}
	in2, err := pay.GetIntent(ctx, failedThenNothing.Payment.ID)
	if err != nil {
		t.Fatal(err)
	}
	deliveries := [][]byte{
		sandbox.EventBody("evt_fail_old", sandbox.TypeFailed, in, time.Now()), // a stale failure first
		sandbox.EventBody("evt_ok", sandbox.TypeSucceeded, in, time.Now()),
		sandbox.EventBody("evt_ok", sandbox.TypeSucceeded, in, time.Now()), // twice
		sandbox.EventBody("evt_fail", sandbox.TypeFailed, in2, time.Now()),
	}
	for _, body := range deliveries {
		resp, _ := f.handler(ctx, webhookRequest("sandbox", body, signature.Sign(body, time.Now(), secret)))
		if resp.StatusCode != 200 {
			t.Fatalf("webhook: %d %s", resp.StatusCode, resp.Body)
		}
	}
	msgs := f.drain(t)
	if len(msgs) != 3 {
		t.Fatalf("%d queued, want 3 (the duplicate dropped)", len(msgs))
	}
	var ev events.SQSEvent
	for _, m := range msgs {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), Body: aws.ToString(m.Body), Attributes: m.Attributes})
	}
	// Redelivered batch: applying twice changes nothing.
	for range 2 {
		resp, err := consumer.Handle(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("consumer failures %+v, %v", resp.BatchItemFailures, err)
		}
	}
	if o, _ := svc.Order(ctx, checkouttest.Subject, paid.ID); o.Status != order.Paid || o.Version != 2 {
		t.Errorf("paid order: %s v%d, want PAID once", o.Status, o.Version)
	}
	if o, _ := svc.Order(ctx, checkouttest.Subject, failedThenNothing.ID); o.Status != order.Cancelled {
		t.Errorf("failed order: %s, want CANCELLED", o.Status)
	}

	// A malformed message holds back the later messages of its group only.
	other := checkouttest.PlaceOrder(t, env, nil)
	good := `{"provider":"sandbox","id":"evt_z","type":"payment.failed","intentId":"` + other.Payment.ID + `","orderId":"` + other.ID + `","amount":{"amount":1,"currency":"CNY"},"created":"2026-11-24T00:00:00Z"}`
	batch := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "a", Body: `{"nonsense":true}`, Attributes: map[string]string{"MessageGroupId": other.ID}},
		{MessageId: "b", Body: good, Attributes: map[string]string{"MessageGroupId": other.ID}},
		{MessageId: "c", Body: `{"provider":"sandbox","id":"evt_unknown","type":"payment.succeeded","intentId":"pi","orderId":"ord_bbbbbbbbbbbbbbbb","amount":{"amount":1,"currency":"CNY"},"created":"2026-11-24T00:00:00Z"}`, Attributes: map[string]string{"MessageGroupId": "ord_bbbbbbbbbbbbbbbb"}},
	}}
	resp, _ := consumer.Handle(ctx, batch)
	var ids []string
	for _, fl := range resp.BatchItemFailures {
		ids = append(ids, fl.ItemIdentifier)
	}
	if strings.Join(ids, ",") != "a,b,c" {
		t.Errorf("failures %v, want a (malformed), b (same group, held back), c (unknown order, parked)", ids)
	}
	if o, _ := svc.Order(ctx, checkouttest.Subject, other.ID); o.Status != order.PendingPayment {
		t.Errorf("held-back event was applied: %s", o.Status)
	}
}
