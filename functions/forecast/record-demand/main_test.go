package main

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

// The recorded OrderPaid, delivered twice, counts its units once on the
// day it was paid (Shanghai time).
func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	awstest.FunctionEnv(t)
	h, err := forecastapi.NewRecordDemand(ctx)
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
	api, err := forecastapi.NewAPI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	hist, err := api.Demand.History(ctx, "sku_r3uweaehbhjxlf2l", "", day, day)
	if err != nil || len(hist) != 1 || hist[0].Units != 1 || hist[0].Revenue != 45700 {
		t.Errorf("history %+v, %v; want 1 unit, 457.00", hist, err)
	}
}
