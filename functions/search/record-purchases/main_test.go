package main

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jiaoyi-dev/jiaoyi/internal/recommend"
	"github.com/jiaoyi-dev/jiaoyi/internal/recommendapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

// The recorded event, delivered twice, is counted once; then the refresh
// lists each product under the other.
func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	h, err := recommendapi.NewRecordPurchases(ctx)
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
	s := recommend.NewStore(dynamodb.NewFromConfig(awstest.Config(t)), env[resource.Analytics.EnvVar])
	if n, err := s.Refresh(ctx, 10); err != nil || n != 2 {
		t.Fatalf("refreshed %d, %v; want 2 lists", n, err)
	}
	top, err := s.Top(ctx, "prd_3ivwjrio456wvnu5")
	if err != nil || len(top) != 1 || top[0].ProductID != "prd_bbbbbbbbbbbbbbbb" {
		t.Errorf("list %+v, %v", top, err)
	}
}
