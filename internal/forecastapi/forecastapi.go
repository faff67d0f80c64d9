// Package forecastapi serves demand forecasting: the consumer that keeps
// each SKU's daily demand history from order events, and merchants'
// forecasts of their SKUs.
package forecastapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/demand"
	"github.com/jiaoyi-dev/jiaoyi/internal/forecast"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/replenish/replenishdb"
)

// Config is what the forecast functions read from the environment.
type Config struct {
	AnalyticsTable string `env:"JIAOYI_TABLE_ANALYTICS,required,notEmpty"`
	CatalogTable   string `env:"JIAOYI_TABLE_CATALOG"`
	// TimeZone is the business time zone demand days are counted in.
	TimeZone string `env:"JIAOYI_BUSINESS_TZ" envDefault:"Asia/Shanghai"`
	LogLevel string `env:"LOG_LEVEL" envDefault:"info"`
}

// API answers the forecast routes and consumes order events.
type API struct {
	Demand  *demand.Store
	Catalog *catalog.Repository
	// Plans are the nightly run's replenishment plans and runs.
	Plans *replenishdb.Store
	// Defaults is the policy of merchants that have set none.
	Defaults replenishdb.Policy
	Now      func() time.Time
	Log      *slog.Logger
}

// NewAPI builds the API from the environment.
func NewAPI(ctx context.Context) (*API, error) { return deps(ctx) }

func deps(ctx context.Context) (*API, error) {
	cfg, err := config.Load[Config]()
	if err != nil {
		return nil, err
	}
	defaults, err := config.Load[replenishdb.Policy]()
	if err != nil {
		return nil, err
	}
	if err := defaults.Validate(); err != nil {
		return nil, fmt.Errorf("config: JIAOYI_REPLENISH_*: %w", err)
	}
	zone, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("config: JIAOYI_BUSINESS_TZ: %w", err)
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(awsCfg)
	return &API{
		Demand: &demand.Store{DB: db, Table: cfg.AnalyticsTable, Zone: zone,
			Inbox: &outbox.Inbox{DB: db, Table: cfg.AnalyticsTable, Consumer: "demand"}},
		Catalog: catalog.NewRepository(db, cfg.CatalogTable), Plans: &replenishdb.Store{DB: db, Table: cfg.AnalyticsTable}, Defaults: defaults, Now: time.Now, Log: logging.New(os.Stdout, cfg.LogLevel),
	}, nil
}

// NewRecordDemand builds the consumer of the forecast-events queue.
func NewRecordDemand(ctx context.Context) (func(context.Context, events.SQSEvent) (events.SQSEventResponse, error), error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return a.HandleEvents, nil
}

// HandleEvents counts each event of the batch once, reporting failures
// for redelivery (a message that is not an event ends in the DLQ).
func (a *API) HandleEvents(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		e, err := outbox.Decode(rec.Body)
		if err == nil {
			err = a.Demand.Apply(ctx, e)
		}
		if err != nil {
			a.Log.Error("record demand", "message_id", rec.MessageId, "event_id", e.ID, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

// NewGetForecast builds GET /merchant/forecasts/{skuId}.
func NewGetForecast(ctx context.Context) (apigw.Handler, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(a.Log, a.GetForecast), nil
}

// Point is one forecast day.
type Point struct {
	Date  string             `json:"date"`
	Mean  float64            `json:"mean"`
	Lower map[string]float64 `json:"lower"`
	Upper map[string]float64 `json:"upper"`
}

// Forecast is the answer of GET /merchant/forecasts/{skuId}.
type Forecast struct {
	SKUID    string       `json:"skuId"`
	Location string       `json:"location,omitempty"`
	Model    string       `json:"model"`
	Note     string       `json:"note,omitempty"`
	History  []demand.Day `json:"history"`
	Forecast []Point      `json:"forecast"`
}

// Query limits.
const (
	defaultDays, maxDays       = 365, 730
	defaultHorizon, maxHorizon = 28, 730
)

func intParam(q map[string]string, name string, def, lo, hi int) (int, error) {
	s, ok := q[name]
	if !ok || s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, problem.Field(name, fmt.Sprintf("%s must be a whole number from %d to %d", name, lo, hi))
	}
	return n, nil
}

// GetForecast answers GET /merchant/forecasts/{skuId}?days=&h=&m=&model=&location=&format=:
// the SKU's daily demand history (zeros on days without sales) and its
// forecast with 80% and 95% intervals, from the model the backtest picks
// (or the one named), as JSON or (format=png, or Accept: image/png) as a
// chart. The SKU must be the caller's merchant's.
func (a *API) GetForecast(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	sku := req.PathParameters["skuId"]
	if !id.Valid("sku", sku) {
		return apigw.Response{}, problem.Field("skuId", "skuId is malformed: want sku_ followed by 16 characters a-z, 2-7")
	}
	q := req.QueryStringParameters
	days, err := intParam(q, "days", defaultDays, 14, maxDays)
	if err != nil {
		return apigw.Response{}, err
	}
	h, err := intParam(q, "h", defaultHorizon, 1, maxHorizon)
	if err != nil {
		return apigw.Response{}, err
	}
	m, err := intParam(q, "m", 7, 1, 365)
	if err != nil {
		return apigw.Response{}, err
	}
	format := q["format"]
	if format == "" && strings.Contains(req.Headers["accept"], "image/png") {
		format = "png"
	}
	if format != "" && format != "json" && format != "png" {
		return apigw.Response{}, problem.Field("format", "format must be json or png")
	}
	model := q["model"]
	if model == "" {
		model = "auto"
	}
	known := model == "auto"
	for _, n := range forecast.Names() {
		known = known || n == model
	}
	if !known {
		return apigw.Response{}, problem.Field("model", "unknown model")
	}
	skus, err := a.Catalog.SKUs(ctx, []string{sku})
	if err != nil {
		return apigw.Response{}, err
	}
	s, ok := skus[sku]
	if !ok {
		return apigw.Response{}, problem.New(problem.NotFound, "SKU not found")
	}
	p, err := a.Catalog.Product(ctx, s.ProductID)
	if err != nil || p.MerchantID != c.MerchantID {
		return apigw.Response{}, problem.New(problem.NotFound, "SKU not found")
	}
	if loc := q["location"]; loc != "" && !catalog.ValidLocationID(loc) {
		return apigw.Response{}, problem.Field("location", "location must be a warehouse (whs_…) or store (sto_…) id")
	}
	now := a.Now()
	to := now.AddDate(0, 0, -1)
	hist, err := a.Demand.History(ctx, sku, q["location"], to.AddDate(0, 0, -(days-1)), to)
	if err != nil {
		return apigw.Response{}, err
	}
	y := make([]float64, len(hist))
	for i, d := range hist {
		y[i] = math.Max(0, float64(d.Units)) // a day of returns is no negative demand
	}
	levels := []float64{80, 95}
	var res *forecast.Result
	if model == "auto" {
		res, err = forecast.Auto(y, m, h, levels)
	} else {
		res, err = forecast.Forecast(model, y, m, h, levels)
	}
	if err != nil {
		if badSeries(err) {
			return apigw.Response{}, problem.New(problem.Unprocessable, err.Error())
		}
		return apigw.Response{}, err
	}
	out := Forecast{SKUID: sku, Location: q["location"], Model: res.Model, Note: res.Note, History: hist, Forecast: []Point{}}
	last, _ := time.ParseInLocation("2006-01-02", hist[len(hist)-1].Date, a.Demand.Zone)
	for i, v := range res.Mean {
		pt := Point{Date: last.AddDate(0, 0, i+1).Format("2006-01-02"), Mean: v, Lower: map[string]float64{}, Upper: map[string]float64{}}
		for _, l := range levels {
			key := strconv.Itoa(int(l))
			if lo, ok := res.Lower[l]; ok && i < len(lo) {
				pt.Lower[key] = math.Max(0, lo[i])
			}
			if up, ok := res.Upper[l]; ok && i < len(up) {
				pt.Upper[key] = up[i]
			}
		}
		out.Forecast = append(out.Forecast, pt)
	}
	if format == "png" {
		img, err := Chart(out, a.Demand.Zone)
		if err != nil {
			return apigw.Response{}, err
		}
		return apigw.Response{StatusCode: http.StatusOK, IsBase64Encoded: true, Body: base64.StdEncoding.EncodeToString(img),
			Headers: map[string]string{"Content-Type": "image/png", "Cache-Control": "private, max-age=300"}}, nil
	}
	return apigw.JSON(http.StatusOK, out)
}

// badSeries reports whether the forecast refused its input (too short a
// history for the model, a horizon or season out of range): a 422.
func badSeries(err error) bool {
	for _, e := range []error{forecast.ErrTooShort, forecast.ErrNonFinite, forecast.ErrNegative, forecast.ErrHorizon, forecast.ErrSeasonPeriod, forecast.ErrLevel} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// NewListReplenishment builds GET /merchant/replenishment.
func NewListReplenishment(ctx context.Context) (apigw.Handler, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(a.Log, a.ListReplenishment), nil
}

// Replenishment is the answer of GET /merchant/replenishment.
type Replenishment struct {
	// Policy is the merchant's policy the next run plans with (its own,
	// or the default).
	Policy replenishdb.Policy `json:"policy"`
	// Run is the latest nightly run (absent before the first).
	Run   *replenishdb.Run   `json:"run,omitempty"`
	Plans []replenishdb.Plan `json:"plans"`
	Next  string             `json:"next,omitempty"`
}

// ListReplenishment answers GET /merchant/replenishment?due=&location=&limit=&cursor=:
// the caller's merchant's plans from the latest nightly run, per SKU and
// location: what to order (orderQuantity), by when (orderBy), and why
// (forecast daily demand, safety stock, reorder point, stock on hand).
// due=N keeps the plans to order within N days (0: today).
func (a *API) ListReplenishment(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	q := req.QueryStringParameters
	limit, err := intParam(q, "limit", 100, 1, 500)
	if err != nil {
		return apigw.Response{}, err
	}
	var f replenishdb.Filter
	if s, ok := q["due"]; ok && s != "" {
		days, err := intParam(q, "due", 0, 0, 365)
		if err != nil {
			return apigw.Response{}, err
		}
		f.DueBy = a.Now().In(a.Demand.Zone).AddDate(0, 0, days).Format("2006-01-02")
	}
	if loc := q["location"]; loc != "" {
		if !catalog.ValidLocationID(loc) {
			return apigw.Response{}, problem.Field("location", "location must be a warehouse (whs_…) or store (sto_…) id")
		}
		f.Location = loc
	}
	page, err := a.Plans.Plans(ctx, c.MerchantID, f, q["cursor"], limit)
	if err != nil {
		return apigw.Response{}, err
	}
	pol, ok, err := a.Plans.Policy(ctx, c.MerchantID)
	if err != nil {
		return apigw.Response{}, err
	}
	if !ok {
		pol = a.Defaults
	}
	out := Replenishment{Policy: pol, Plans: page.Plans, Next: page.Next}
	switch run, err := a.Plans.Latest(ctx); {
	case err == nil:
		out.Run = &run
	case !errors.Is(err, replenishdb.ErrNoRun):
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, out)
}

// NewPutPolicy builds PUT /merchant/replenishment/policy.
func NewPutPolicy(ctx context.Context) (apigw.Handler, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(a.Log, a.PutPolicy), nil
}

// PutPolicy answers PUT /merchant/replenishment/policy: the caller's
// merchant's lead time, its deviation, service level and review period,
// which the next nightly run plans with. Every field is required; one out
// of range is a 400 naming it.
func (a *API) PutPolicy(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	var body struct {
		LeadTimeDays *float64 `json:"leadTimeDays"`
		LeadTimeSD   *float64 `json:"leadTimeSd"`
		ServiceLevel *float64 `json:"serviceLevel"`
		ReviewDays   *float64 `json:"reviewDays"`
	}
	if err := apigw.DecodeJSON(req, &body, 4096); err != nil {
		return apigw.Response{}, err
	}
	for name, v := range map[string]*float64{"leadTimeDays": body.LeadTimeDays, "leadTimeSd": body.LeadTimeSD, "serviceLevel": body.ServiceLevel, "reviewDays": body.ReviewDays} {
		if v == nil {
			return apigw.Response{}, problem.Field(name, name+" is required")
		}
	}
	p := replenishdb.Policy{LeadTimeDays: *body.LeadTimeDays, LeadTimeSD: *body.LeadTimeSD, ServiceLevel: *body.ServiceLevel, ReviewDays: *body.ReviewDays}
	if err := a.Plans.PutPolicy(ctx, c.MerchantID, p); err != nil {
		return apigw.Response{}, err
	}
	a.Log.Info("replenishment policy set", "merchant_id", c.MerchantID, "policy", p)
	return apigw.JSON(http.StatusOK, p)
}
