package searchapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/api"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func slotsRequest(storeID string, query map[string]string) apigw.Request {
	var qs []string
	for k, v := range query {
		qs = append(qs, k+"="+v)
	}
	req := events.APIGatewayV2HTTPRequest{
		RouteKey: "GET /stores/{id}/slots", RawPath: "/stores/" + storeID + "/slots", RawQueryString: strings.Join(qs, "&"),
		PathParameters: map[string]string{"id": storeID}, QueryStringParameters: query,
	}
	req.RequestContext.HTTP.Method = http.MethodGet
	return req
}

func TestListSlots(t *testing.T) {
	ctx := context.Background()
	env := awstest.Tables(t, resource.Catalog)
	repo := catalog.NewRepository(awstest.DynamoDB(t), env[resource.Catalog.EnvVar])
	now := time.Date(2026, 11, 24, 4, 30, 0, 0, time.UTC) // 12:30 in Shanghai
	store := catalog.Store{ID: id.New(id.Store), Name: catalog.Text{ZH: "店", EN: "Store"}, City: catalog.Text{ZH: "上海", EN: "Shanghai"},
		Address: catalog.Text{ZH: "路", EN: "Road"}, Timezone: "Asia/Shanghai", Services: []catalog.Service{{ID: "fitting", Name: catalog.Text{ZH: "试衣", EN: "Fitting"}, DurationMinutes: 60}}}
	var slots []catalog.Slot
	for _, start := range []time.Time{now.Add(-time.Hour), now.Add(time.Hour), now.Add(26 * time.Hour), now.Add(80 * time.Hour)} {
		slots = append(slots, catalog.Slot{ID: id.New(id.Slot), StoreID: store.ID, ServiceID: "fitting", Start: start, End: start.Add(time.Hour), Capacity: 4, Booked: 1})
	}
	if err := repo.Write(ctx, catalog.Batch{Stores: []catalog.Store{store}, Slots: slots}); err != nil {
		t.Fatal(err)
	}
	h := apigw.Wrap(logging.New(new(strings.Builder), "error"), (&searchapi.Stores{Catalog: repo, Now: func() time.Time { return now }}).ListSlots)

	tests := []struct {
		name       string
		store      string
		query      map[string]string
		wantStatus int
		wantSlots  int
	}{
		{"default week skips started slots", store.ID, nil, 200, 3},
		{"one day", store.ID, map[string]string{"days": "1"}, 200, 1},
		{"from a later day", store.ID, map[string]string{"from": "2026-11-25", "days": "1"}, 200, 1},
		{"malformed store", "shop-1", nil, 400, 0},
		{"unknown store", id.New(id.Store), nil, 404, 0},
		{"zero days", store.ID, map[string]string{"days": "0"}, 400, 0},
		{"too many days", store.ID, map[string]string{"days": "15"}, 400, 0},
		{"days not a number", store.ID, map[string]string{"days": "week"}, 400, 0},
		{"bad date", store.ID, map[string]string{"from": "24/11/2026"}, 400, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := slotsRequest(tt.store, tt.query)
			resp, err := h(ctx, req)
			if err != nil || resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, resp.Body, tt.wantStatus)
			}
			if err := api.Check(req, resp); err != nil {
				t.Errorf("contract: %v", err)
			}
			if resp.StatusCode != 200 {
				return
			}
			var got searchapi.StoreSlots
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Slots) != tt.wantSlots {
				t.Errorf("%d slots, want %d", len(got.Slots), tt.wantSlots)
			}
			for _, s := range got.Slots {
				if s.Available != 3 || !s.Start.After(now) {
					t.Errorf("slot %+v: want 3 available and not started", s)
				}
			}
		})
	}
}
