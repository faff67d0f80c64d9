package main

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/searchtest"
)

func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	searchtest.Seeded(t)
	h, err := searchapi.NewListSlots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/list-slots.json")
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	resp, err := h(ctx, req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s %v", resp.StatusCode, resp.Body, err)
	}
	if err := api.Check(req, resp); err != nil {
		t.Error(err)
	}
	var got searchapi.StoreSlots
	if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
		t.Fatal(err)
	}
	// Two days of the first store's slots, minus those already started today.
	all := 0
	for d := range 2 {
		s, _ := demo.Slots(demo.Stores()[0], time.Now().AddDate(0, 0, d))
		all += len(s)
	}
	if got.Store.ID != demo.Stores()[0].ID || len(got.Slots) == 0 || len(got.Slots) > all {
		t.Errorf("store %s with %d slots, want the first demo store with up to %d", got.Store.ID, len(got.Slots), all)
	}
}
