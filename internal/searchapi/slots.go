package searchapi

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"
	_ "time/tzdata" // store timezones resolve on runtimes without zoneinfo

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// MaxSlotDays bounds how many days of slots one request lists.
const MaxSlotDays = 14

// maxSlots bounds the slots in one answer.
const maxSlots = 1000

// StoreReader reads stores and their slots.
type StoreReader interface {
	Store(ctx context.Context, id string) (catalog.Store, error)
	Slots(ctx context.Context, storeID string, from, to time.Time, limit int) ([]catalog.Slot, error)
}

var _ StoreReader = (*catalog.Repository)(nil)

// Stores answers store routes.
type Stores struct {
	Catalog StoreReader
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// SlotView is a slot as shoppers see it.
type SlotView struct {
	catalog.Slot
	Available int `json:"available"`
}

// StoreSlots is the answer of GET /stores/{id}/slots.
type StoreSlots struct {
	Store catalog.Store `json:"store"`
	From  string        `json:"from"`
	Days  int           `json:"days"`
	Slots []SlotView    `json:"slots"`
}

// NewListSlots builds the GET /stores/{id}/slots handler from the environment.
func NewListSlots(ctx context.Context) (apigw.Handler, error) {
	cfg, err := config.Load[Config]()
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	s := &Stores{Catalog: catalog.NewRepository(dynamodb.NewFromConfig(awsCfg), cfg.CatalogTable), Now: time.Now}
	return apigw.Wrap(logging.New(os.Stdout, cfg.LogLevel), s.ListSlots), nil
}

// ListSlots answers GET /stores/{id}/slots?from=YYYY-MM-DD&days=N: the
// store and its slots that have not started, from the given day (in the
// store's timezone; default today) for N days (default 7, at most 14).
func (s *Stores) ListSlots(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	storeID := req.PathParameters["id"]
	if !id.Valid(id.Store, storeID) {
		return apigw.Response{}, problem.Field("id", "store id is malformed: want sto_ followed by 16 characters a-z, 2-7")
	}
	days := 7
	if v, ok := req.QueryStringParameters["days"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxSlotDays {
			return apigw.Response{}, problem.Field("days", fmt.Sprintf("days must be a whole number from 1 to %d", MaxSlotDays))
		}
		days = n
	}
	store, err := s.Catalog.Store(ctx, storeID)
	if err != nil {
		return apigw.Response{}, err
	}
	loc, err := time.LoadLocation(store.Timezone)
	if err != nil {
		return apigw.Response{}, fmt.Errorf("store %s timezone %q: %w", store.ID, store.Timezone, err)
	}
	now := s.Now()
	y, m, d := now.In(loc).Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if v, ok := req.QueryStringParameters["from"]; ok {
		if from, err = time.ParseInLocation(time.DateOnly, v, loc); err != nil {
			return apigw.Response{}, problem.Field("from", "from must be a date such as 2026-11-24")
		}
	}
	to := from.AddDate(0, 0, days)
	slots, err := s.Catalog.Slots(ctx, storeID, from, to, maxSlots)
	if err != nil {
		return apigw.Response{}, err
	}
	out := StoreSlots{Store: store, From: from.Format(time.DateOnly), Days: days, Slots: []SlotView{}}
	for _, sl := range slots {
		if sl.Start.After(now) {
			out.Slots = append(out.Slots, SlotView{Slot: sl, Available: max(0, sl.Capacity-sl.Booked)})
		}
	}
	resp, err := apigw.JSON(http.StatusOK, out)
	if err != nil {
		return apigw.Response{}, err
	}
	resp.Headers["Cache-Control"] = "no-cache"
	return resp, nil
}
