package forecastapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"gonum.org/v1/gonum/stat"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/demand"
	"github.com/jiaoyi-dev/jiaoyi/internal/forecast"
	"github.com/jiaoyi-dev/jiaoyi/internal/replenish"
	"github.com/jiaoyi-dev/jiaoyi/internal/replenish/replenishdb"
)

// Nightly is the nightly forecast run: a planner that splits every
// merchant's SKUs into batches on a queue, and a worker that forecasts
// each batch's SKUs at each location and writes their replenishment plans.
type Nightly struct {
	API    *API
	Plans  *replenishdb.Store
	Queue  Sender
	JobURL string
	// BatchSKUs is how many SKUs a message carries.
	BatchSKUs int
	// HistoryDays is how much history each forecast reads.
	HistoryDays int
}

// Sender is the part of the SQS client the planner uses.
type Sender interface {
	SendMessageBatch(context.Context, *sqs.SendMessageBatchInput, ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// Job is one message of the run: a batch of one merchant's SKUs.
type Job struct {
	RunID      string   `json:"runId"`
	Batch      int      `json:"batch"`
	MerchantID string   `json:"merchantId"`
	SKUs       []string `json:"skus"`
}

// Plan starts a run: it lists every merchant's SKUs (of active and
// inactive products alike: stock on hand still needs a plan), records the
// run with its batch count, and sends the batches. Returns the run.
func (n *Nightly) Plan(ctx context.Context, _ json.RawMessage) (replenishdb.Run, error) {
	merchants, err := n.API.Catalog.Merchants(ctx)
	if err != nil {
		return replenishdb.Run{}, err
	}
	mgr := catalog.NewManager(n.API.Catalog, nil)
	now := n.API.Now().UTC()
	run := replenishdb.Run{ID: runID(now), StartedAt: now}
	var jobs []Job
	for _, m := range merchants {
		var skus []string
		for cursor := ""; ; {
			page, err := mgr.ByMerchant(ctx, m.ID, cursor, 100)
			if err != nil {
				return replenishdb.Run{}, err
			}
			for _, p := range page.Products {
				skus = append(skus, p.SKUIDs...)
			}
			if cursor = page.Next; cursor == "" {
				break
			}
		}
		run.SKUs += int64(len(skus))
		for chunk := range slices.Chunk(skus, max(1, n.BatchSKUs)) {
			jobs = append(jobs, Job{RunID: run.ID, Batch: len(jobs), MerchantID: m.ID, SKUs: chunk})
		}
	}
	run.Batches = int64(len(jobs))
	if len(jobs) == 0 {
		n.API.Log.Info("forecast run: no SKUs to forecast")
		return run, nil
	}
	if err := n.Plans.StartRun(ctx, run); err != nil {
		return replenishdb.Run{}, err
	}
	for chunk := range slices.Chunk(jobs, 10) {
		entries := make([]sqstypes.SendMessageBatchRequestEntry, len(chunk))
		for i, j := range chunk {
			body, _ := json.Marshal(j)
			entries[i] = sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(j.Batch)), MessageBody: aws.String(string(body))}
		}
		out, err := n.Queue.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &n.JobURL, Entries: entries})
		if err == nil && len(out.Failed) > 0 {
			err = fmt.Errorf("%d of %d refused, first: %s", len(out.Failed), len(entries), aws.ToString(out.Failed[0].Message))
		}
		if err != nil {
			// The run cannot finish now; the schedule's retry starts a new one.
			return replenishdb.Run{}, fmt.Errorf("forecast run %s: send batches: %w", run.ID, err)
		}
	}
	n.API.Log.Info("forecast run started", "run_id", run.ID, "merchants", len(merchants), "skus", run.SKUs, "batches", run.Batches)
	return run, nil
}

func runID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return now.Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// Handle works through a delivery of jobs, reporting the ones that failed
// for redelivery. A redelivered job rewrites the same plans and is counted
// once.
func (n *Nightly) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		var j Job
		err := json.Unmarshal([]byte(rec.Body), &j)
		if err == nil && (j.RunID == "" || j.MerchantID == "") {
			err = errors.New("not a forecast job")
		}
		if err == nil {
			err = n.work(ctx, j)
		}
		if err != nil {
			n.API.Log.Error("forecast job", "message_id", rec.MessageId, "run_id", j.RunID, "batch", j.Batch, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

func (n *Nightly) work(ctx context.Context, j Job) error {
	started := time.Now()
	plans, tally, err := n.planBatch(ctx, j)
	if err != nil {
		return err
	}
	if err := n.Plans.PutPlans(ctx, plans); err != nil {
		return err
	}
	run, err := n.Plans.FinishBatch(ctx, j.RunID, j.Batch, tally, n.API.Now())
	if errors.Is(err, replenishdb.ErrCounted) {
		return nil
	}
	if err != nil {
		return err
	}
	n.API.Log.Info("forecast batch done", "run_id", j.RunID, "batch", j.Batch, "skus", len(j.SKUs), "series", tally.Series,
		"planned", tally.Planned, "seconds", time.Since(started).Seconds(), "progress", fmt.Sprintf("%d/%d", run.Done, run.Batches))
	if run.Finished() && run.FinishedAt != nil {
		n.API.Log.Info("forecast run finished", "run_id", run.ID, "skus", run.SKUs, "series", run.Series, "planned", run.Planned,
			"skipped", run.Skipped, "failed", run.Failed, "seconds", run.FinishedAt.Sub(run.StartedAt).Seconds())
	}
	return nil
}

// minHistory is the fewest days since a series' first sale that are
// forecast with the chosen models; a shorter one is planned from its
// mean (Naive on the daily mean).
const minHistory = 28

// planBatch forecasts every SKU of the job at each location it is stocked
// at (or in total, for a SKU stocked in one place) and decides its plan.
// A SKU of another merchant, or gone from the catalog, is skipped.
func (n *Nightly) planBatch(ctx context.Context, j Job) ([]replenishdb.Plan, replenishdb.Tally, error) {
	var tally replenishdb.Tally
	skus, err := n.API.Catalog.SKUs(ctx, j.SKUs)
	if err != nil {
		return nil, tally, err
	}
	keys := catalog.Keys{}
	for _, s := range skus {
		keys.Products = append(keys.Products, s.ProductID)
	}
	found, err := n.API.Catalog.Lookup(ctx, keys)
	if err != nil {
		return nil, tally, err
	}
	pol, ok, err := n.Plans.Policy(ctx, j.MerchantID)
	if err != nil {
		return nil, tally, err
	}
	if !ok {
		pol = n.API.Defaults
	}
	terms, err := n.Plans.Terms(ctx, j.MerchantID, j.SKUs)
	if err != nil {
		return nil, tally, err
	}
	pos, err := n.Plans.OpenPurchaseOrders(ctx, j.MerchantID)
	if err != nil {
		return nil, tally, err
	}
	incoming := map[string][]replenishdb.PurchaseOrder{}
	for _, po := range pos {
		incoming[po.SKUID] = append(incoming[po.SKUID], po)
	}
	now := n.API.Now()
	to := now.AddDate(0, 0, -1)
	from := to.AddDate(0, 0, -(max(n.HistoryDays, minHistory) - 1))
	var plans []replenishdb.Plan
	for _, id := range j.SKUs {
		s, ok := skus[id]
		p, pok := found.Products[s.ProductID]
		if !ok || !pok || p.MerchantID != j.MerchantID {
			continue
		}
		locations := map[string]int64{"": s.Available}
		if len(s.Stock) > 0 {
			locations = s.Stock
		}
		st, own := terms[id]
		eff := st.Terms.Apply(pol)
		for _, loc := range slices.Sorted(maps.Keys(locations)) {
			tally.Series++
			hist, err := n.API.Demand.History(ctx, id, loc, from, to)
			if err != nil {
				return nil, tally, err
			}
			stock := position{onHand: float64(max(0, locations[loc]))}
			stock.onOrder, stock.later = onOrder(incoming[id], loc, horizonEnd(now, eff.Policy))
			plan, ok, err := n.planSeries(hist, stock, eff, now)
			if err != nil {
				tally.Failed++
				n.API.Log.Warn("forecast series", "sku", id, "location", loc, "error", err)
				continue
			}
			if !ok {
				tally.Skipped++
				continue
			}
			plan.MerchantID, plan.SKUID, plan.ProductID, plan.Location = j.MerchantID, id, s.ProductID, loc
			plan.SKUTerms = own
			plan.Product = p.Name.ZH
			if plan.Product == "" {
				plan.Product = p.Name.EN
			}
			plan.RunID, plan.ComputedAt = j.RunID, now.UTC()
			plans = append(plans, plan)
			tally.Planned++
		}
	}
	return plans, tally, nil
}

// position is the stock a plan starts from at one location.
type position struct {
	onHand float64
	// onOrder is what open purchase orders bring by the end of the plan's
	// horizon; later is what they bring after it.
	onOrder, later float64
}

// horizonEnd is the end of what a plan made at now covers: the lead time
// and the review period after it.
func horizonEnd(now time.Time, pol replenishdb.Policy) time.Time {
	return now.Add(time.Duration((pol.LeadTimeDays + pol.ReviewDays) * 24 * float64(time.Hour)))
}

// onOrder sums what a SKU's open purchase orders still bring to location
// ("": anywhere, for a SKU stocked in one place): expected by end (late
// ones included: they are still coming), and after it. An order expected
// after the horizon does not stop tonight's order: the stock it brings
// arrives after what tonight's order must cover (a season's stock bought
// months ahead); it is counted once it falls inside the horizon.
func onOrder(pos []replenishdb.PurchaseOrder, location string, end time.Time) (within, later float64) {
	for _, po := range pos {
		if location != "" && po.LocationID != location {
			continue
		}
		if po.ExpectedAt.After(end) {
			later += float64(po.Open)
		} else {
			within += float64(po.Open)
		}
	}
	return within, later
}

// planSeries forecasts one daily series over the lead time and review
// period and decides its plan under pol (the merchant's policy with the
// SKU's terms); ok is false for a series without a sale.
func (n *Nightly) planSeries(hist []demand.Day, stock position, pol replenishdb.Effective, now time.Time) (replenishdb.Plan, bool, error) {
	first := slices.IndexFunc(hist, func(d demand.Day) bool { return d.Units > 0 })
	if first < 0 {
		return replenishdb.Plan{}, false, nil
	}
	y := make([]float64, 0, len(hist)-first)
	nonzero := 0
	for _, d := range hist[first:] {
		v := math.Max(0, float64(d.Units)) // a day of returns is no negative demand
		if v > 0 {
			nonzero++
		}
		y = append(y, v)
	}
	h := int(math.Ceil(pol.LeadTimeDays + pol.ReviewDays))
	h = min(max(h, 1), 730)
	var res *forecast.Result
	var err error
	if len(y) >= minHistory {
		res, err = forecast.Auto(y, 7, h, []float64{95})
	}
	if len(y) < minHistory || errors.Is(err, forecast.ErrTooShort) {
		// Too little history for the models: the daily mean, with the
		// daily spread as its uncertainty.
		m, sd := stat.MeanStdDev(y, nil)
		if len(y) < 2 {
			sd = 0 // one day of sales: no spread to measure
		}
		res, err = &forecast.Result{Model: "Mean", Note: fmt.Sprintf("%d days since the first sale: planned from the daily mean", len(y)),
			Lower: map[float64][]float64{95: make([]float64, h)}, Upper: map[float64][]float64{95: make([]float64, h)}}, nil
		for i := range h {
			res.Mean = append(res.Mean, m)
			res.Lower[95][i], res.Upper[95][i] = m-1.959963984540054*sd, m+1.959963984540054*sd
		}
	}
	if err != nil {
		return replenishdb.Plan{}, false, err
	}
	// Daily demand over the horizon: the mean forecast, and a daily
	// standard deviation from the 95% interval's half-width (root mean
	// square over the days, since the decision adds daily variances).
	var sum, sq float64
	for i, m := range res.Mean {
		sum += math.Max(0, m)
		sd := (res.Upper[95][i] - res.Lower[95][i]) / (2 * 1.959963984540054)
		sq += sd * sd
	}
	dailyMean, dailySD := sum/float64(len(res.Mean)), math.Sqrt(sq/float64(len(res.Mean)))
	// Syntetos–Boylan: an average interval between demands over 1.32 days
	// is intermittent.
	intermittent := float64(len(y))/float64(max(1, nonzero)) > 1.32
	d, err := replenish.Decide(replenish.Input{
		DailyMean: dailyMean, DailySD: dailySD, LeadTimeDays: pol.LeadTimeDays, LeadTimeSD: pol.LeadTimeSD,
		ServiceLevel: pol.ServiceLevel, Intermittent: intermittent, OnHand: stock.onHand, OnOrder: stock.onOrder,
		ReviewDays: pol.ReviewDays, PackSize: pol.PackSize, MinOrder: pol.MinOrder,
	}, now)
	if err != nil {
		return replenishdb.Plan{}, false, err
	}
	plan := replenishdb.Plan{
		Model: res.Model, Note: res.Note, DailyMean: dailyMean, DailySD: dailySD, Intermittent: intermittent,
		Effective: pol, OnHand: stock.onHand, OnOrder: stock.onOrder, OnOrderLater: stock.later,
		SafetyStock: d.SafetyStock, ReorderPoint: d.ReorderPoint, Distribution: d.Distribution,
		OrderQuantity: d.OrderQuantity, DaysOfCover: d.DaysOfCover,
	}
	if dailyMean > 0 {
		plan.OrderBy = d.OrderBy.In(n.API.Demand.Zone).Format("2006-01-02")
	}
	return plan, true, nil
}

// JobsConfig is what the nightly run reads from the environment besides
// Config.
type JobsConfig struct {
	JobsQueueURL string `env:"JIAOYI_QUEUE_FORECAST_JOBS,required,notEmpty"`
	BatchSKUs    int    `env:"JIAOYI_FORECAST_BATCH_SKUS" envDefault:"50"`
	HistoryDays  int    `env:"JIAOYI_FORECAST_HISTORY_DAYS" envDefault:"730"`
}

func newNightly(ctx context.Context) (*Nightly, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load[JobsConfig]()
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	return &Nightly{API: a, Plans: a.Plans, Queue: sqs.NewFromConfig(awsCfg), JobURL: cfg.JobsQueueURL,
		BatchSKUs: cfg.BatchSKUs, HistoryDays: cfg.HistoryDays}, nil
}

// NewPlanForecasts builds the nightly scheduled function that starts a run.
func NewPlanForecasts(ctx context.Context) (func(context.Context, json.RawMessage) (replenishdb.Run, error), error) {
	n, err := newNightly(ctx)
	if err != nil {
		return nil, err
	}
	return n.Plan, nil
}

// NewRunForecasts builds the consumer of the forecast-jobs queue.
func NewRunForecasts(ctx context.Context) (func(context.Context, events.SQSEvent) (events.SQSEventResponse, error), error) {
	n, err := newNightly(ctx)
	if err != nil {
		return nil, err
	}
	return n.Handle, nil
}
