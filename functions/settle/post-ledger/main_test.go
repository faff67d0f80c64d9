package main

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/ledger"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/settlement"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/settletest"
)

// The recorded OrderPaid, delivered twice, is booked once: the tea house's
// payable holds 457.00 less 3% and 0.50.
func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	checkouttest.SeedDemoProduct(t, env)
	h, err := settleapi.NewPostLedger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SQSEvent
	checkouttest.Event(t, "testdata/order-paid.json", "ord_aaaaaaaaaaaaaaaa", &ev)
	ev.Records = append(ev.Records, ev.Records[0])
	out, err := h(ctx, ev)
	if err != nil || len(out.BatchItemFailures) != 0 {
		t.Fatalf("failures %+v, %v", out.BatchItemFailures, err)
	}
	a, err := ledger.New(awstest.DynamoDB(t), env[resource.Ledger.EnvVar]).Account(ctx, "CNY", settlement.Payable(settletest.Merchant))
	if err != nil {
		t.Fatal(err)
	}
	if got := a.CreditsPosted - a.DebitsPosted; got != 45700-1371-50 {
		t.Errorf("payable %d, want %d", got, 45700-1371-50)
	}
}
