// Package settleapi serves settlement: the consumer that books money
// events in the ledger, the scheduled settlement and reconciliation runs,
// merchants' statements and ops' views and runs.
package settleapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/ledger"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/psp"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/stripe"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/reconcile"
	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
	"github.com/jiaoyi-dev/jiaoyi/internal/settlement"
)

// Config is what the settlement functions read from the environment.
type Config struct {
	LedgerTable   string `env:"JIAOYI_TABLE_LEDGER,required,notEmpty"`
	CatalogTable  string `env:"JIAOYI_TABLE_CATALOG"`
	PaymentsTable string `env:"JIAOYI_TABLE_PAYMENTS"`
	// PaymentProvider is whose reports reconciliation reads: the sandbox's,
	// or Stripe's balance transactions (with PSP's key).
	PaymentProvider string `env:"JIAOYI_PAYMENT_PROVIDER" envDefault:"sandbox"`
	PSP             psp.Config
	// Currencies are the ledgers reconciled and shown by default.
	Currencies []string `env:"JIAOYI_CURRENCIES" envSeparator:"," envDefault:"CNY"`
	// ReconcileTolerance is the FX rounding, in minor units, still matched.
	ReconcileTolerance int64 `env:"JIAOYI_RECONCILE_TOLERANCE" envDefault:"0"`
	// SnapshotSize is how many accounts a trial balance reads at once (25
	// on the emulator, 100 on AWS).
	SnapshotSize int `env:"JIAOYI_LEDGER_SNAPSHOT" envDefault:"100"`
	// SettlementGrace is how long after a business day ends it may be
	// settled (postings stamped before the end must have committed).
	SettlementGrace time.Duration `env:"JIAOYI_SETTLEMENT_GRACE" envDefault:"10m"`
	// ExportsBucket receives each batch's statement as CSV; the functions
	// that settle write it, the statement route links to it.
	ExportsBucket string `env:"JIAOYI_EXPORTS_BUCKET"`
	LogLevel      string `env:"LOG_LEVEL" envDefault:"info"`
}

// API answers the settlement routes and runs its jobs.
type API struct {
	Ledger     *ledger.Ledger
	Poster     *settlement.Poster
	Settler    *settlement.Settler
	Reconciler *settlement.Reconciler
	Store      *settlement.Store
	Currencies []string
	Now        func() time.Time
	Log        *slog.Logger
	// Exports links a statement to its CSV in S3 (nil: no link).
	Exports *settlement.Exporter
}

func deps(ctx context.Context) (*API, error) {
	cfg, err := config.Load[Config]()
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(awsCfg)
	book := ledger.New(db, cfg.LedgerTable)
	book.SnapshotSize = cfg.SnapshotSize
	cat := catalog.NewRepository(db, cfg.CatalogTable)
	store := &settlement.Store{DB: db, Table: cfg.LedgerTable}
	a := &API{Ledger: book, Store: store, Currencies: cfg.Currencies, Now: time.Now, Log: logging.New(os.Stdout, cfg.LogLevel)}
	a.Poster = &settlement.Poster{Book: book, Merchants: cat,
		Inbox:         &outbox.Inbox{DB: db, Table: cfg.LedgerTable, Consumer: "ledger"},
		ProviderFeeBP: map[string]int64{sandbox.Name: sandbox.FeeBasisPoints}}
	a.Settler = &settlement.Settler{Ledger: book, Store: store, Merchants: cat, Now: time.Now, Grace: cfg.SettlementGrace}
	if cfg.ExportsBucket != "" {
		client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
			o.UsePathStyle = os.Getenv("AWS_ENDPOINT_URL") != "" // the emulator serves buckets by path
			o.DisableLogOutputChecksumValidationSkipped = true
		})
		a.Exports = &settlement.Exporter{S3: client, Bucket: cfg.ExportsBucket, Presign: s3.NewPresignClient(client)}
		a.Settler.Exporter = a.Exports
	}
	a.Reconciler = &settlement.Reconciler{Ledger: book, Provider: cfg.PaymentProvider, Store: store,
		Metrics: metrics.New(os.Stdout, "settlement"), Options: reconcile.Options{Tolerance: cfg.ReconcileTolerance}, Now: time.Now}
	switch {
	case cfg.PaymentProvider == sandbox.Name && cfg.PaymentsTable != "":
		a.Reconciler.Reports = settlement.SandboxReports{Provider: sandbox.New(db, cfg.PaymentsTable)}
	case cfg.PaymentProvider == stripe.Name && cfg.PSP.APISecretID+string(cfg.PSP.StripeAPIKey) != "":
		p, err := psp.FromEnv(ctx, awsCfg, cfg.PSP, db, cfg.PaymentsTable)
		if err != nil {
			return nil, err
		}
		a.Reconciler.Reports = settlement.StripeReports{Client: p.(*stripe.Client)}
	}
	return a, nil
}

func build(ctx context.Context, fn func(*API, context.Context, apigw.Request) (apigw.Response, error)) (apigw.Handler, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(a.Log, func(ctx context.Context, req apigw.Request) (apigw.Response, error) { return fn(a, ctx, req) }), nil
}

// NewListSettlements builds GET /merchant/settlements.
func NewListSettlements(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).ListSettlements)
}

// NewGetSettlement builds GET /merchant/settlements/{date}.
func NewGetSettlement(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).GetSettlement)
}

// NewOpsSettlements builds GET /ops/settlements.
func NewOpsSettlements(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).OpsSettlements)
}

// NewRunSettlement builds POST /ops/settlements/run.
func NewRunSettlement(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).RunSettlement)
}

// NewRunReconciliation builds POST /ops/reconciliations.
func NewRunReconciliation(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).RunReconciliation)
}

// NewGetReconciliations builds GET /ops/reconciliations/{date}.
func NewGetReconciliations(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).GetReconciliations)
}

// NewTrialBalance builds GET /ops/ledger/trial-balance.
func NewTrialBalance(ctx context.Context) (apigw.Handler, error) {
	return build(ctx, (*API).TrialBalance)
}

// MaxRange is the longest date range a listing answers, in days.
const MaxRange = 92

// date parses a date parameter and refuses one in the future.
func (a *API) date(field, s string) (settle.Date, error) {
	d, err := settle.ParseDate(s)
	if err != nil {
		return settle.Date{}, problem.Field(field, "want a date YYYY-MM-DD")
	}
	// A day in the future in every time zone.
	if d.Compare(settle.DateOf(a.Now().UTC().Add(14*time.Hour))) > 0 {
		return settle.Date{}, problem.Field(field, "date is in the future")
	}
	return d, nil
}

func merchantCaller(ctx context.Context) (access.Caller, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return c, err
	}
	if c.Role != access.Merchant || c.MerchantID == "" {
		return c, problem.New(problem.Forbidden, "only a merchant's staff may read its settlements")
	}
	return c, nil
}

// List is a list of batches.
type List struct {
	Items []settlement.Batch `json:"items"`
}

// ListSettlements answers GET /merchant/settlements?from=&to=: the
// caller's merchant's batches of days in [from, to] (at most 92 days;
// default the last 31).
func (a *API) ListSettlements(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := merchantCaller(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	q := req.QueryStringParameters
	to := settle.DateOf(a.Now().UTC())
	if q["to"] != "" {
		if to, err = a.date("to", q["to"]); err != nil {
			return apigw.Response{}, err
		}
	}
	from := to.AddDays(-30)
	if q["from"] != "" {
		if from, err = a.date("from", q["from"]); err != nil {
			return apigw.Response{}, err
		}
	}
	if from.Compare(to) > 0 {
		return apigw.Response{}, problem.Field("from", "from is after to")
	}
	if from.AddDays(MaxRange).Compare(to) < 0 {
		return apigw.Response{}, problem.Field("from", fmt.Sprintf("a range covers at most %d days", MaxRange))
	}
	bs, err := a.Store.Batches(ctx, c.MerchantID, from.String(), to.String())
	if err != nil {
		return apigw.Response{}, err
	}
	if bs == nil {
		bs = []settlement.Batch{}
	}
	return apigw.JSON(http.StatusOK, List{Items: bs})
}

// GetSettlement answers GET /merchant/settlements/{date}: one batch with
// its lines and transfer ids; ?format=csv gives the statement as CSV.
func (a *API) GetSettlement(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := merchantCaller(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	d, err := a.date("date", req.PathParameters["date"])
	if err != nil {
		return apigw.Response{}, err
	}
	b, err := a.Store.Batch(ctx, c.MerchantID, d.String(), true)
	if errors.Is(err, settlement.ErrNotFound) {
		return apigw.Response{}, problem.New(problem.NotFound, "no settlement for that day")
	}
	if err != nil {
		return apigw.Response{}, err
	}
	switch req.QueryStringParameters["format"] {
	case "", "json":
		view := Statement{Batch: b}
		if a.Exports != nil {
			ref, err := a.Exports.Link(ctx, b.Merchant, b.Day, ExportLinkTTL, a.Now())
			if err != nil {
				return apigw.Response{}, err
			}
			view.Export = &ref
		}
		return apigw.JSON(http.StatusOK, view)
	case "csv":
		return csvResponse(b)
	default:
		return apigw.Response{}, problem.Field("format", "want json or csv")
	}
}

// ExportLinkTTL is how long a statement's CSV download link works.
const ExportLinkTTL = 15 * time.Minute

// Statement is GET /merchant/settlements/{date}: the batch and, where
// statements are exported, a link to its CSV in S3.
type Statement struct {
	settlement.Batch
	Export *settlement.ExportRef `json:"export,omitempty"`
}

func csvResponse(b settlement.Batch) (apigw.Response, error) {
	body, err := settlement.CSV(b)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.Response{StatusCode: http.StatusOK, Body: string(body), Headers: map[string]string{
		"Content-Type":        "text/csv; charset=utf-8",
		"Content-Disposition": fmt.Sprintf(`attachment; filename="settlement-%s-%s.csv"`, b.Merchant, b.Day),
	}}, nil
}

// OpsSettlements answers GET /ops/settlements?date=: every merchant's
// batch of the day.
func (a *API) OpsSettlements(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	d, err := a.date("date", req.QueryStringParameters["date"])
	if err != nil {
		return apigw.Response{}, err
	}
	bs, err := a.Store.ByDay(ctx, d.String())
	if err != nil {
		return apigw.Response{}, err
	}
	if bs == nil {
		bs = []settlement.Batch{}
	}
	return apigw.JSON(http.StatusOK, List{Items: bs})
}

// RunRequest is the body of the ops runs.
type RunRequest struct {
	Date     string `json:"date"`
	Currency string `json:"currency,omitempty"`
	// Early settles a day that has not ended yet (an early payout); the
	// rest of the day settles with the next batch as adjustments.
	Early bool `json:"early,omitempty"`
}

const maxBody = 4 << 10

// RunSettlement answers POST /ops/settlements/run {"date"}: every
// merchant settled up to that business day.
func (a *API) RunSettlement(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	var in RunRequest
	if err := apigw.DecodeJSON(req, &in, maxBody); err != nil {
		return apigw.Response{}, err
	}
	d, err := a.date("date", in.Date)
	if err != nil {
		return apigw.Response{}, err
	}
	settleAll := a.Settler.SettleAll
	if in.Early {
		settleAll = func(ctx context.Context, d *settle.Date) (settlement.Summary, error) {
			return a.Settler.SettleAllEarly(ctx, *d)
		}
	}
	sum, err := settleAll(ctx, &d)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, sum)
}

// RunReconciliation answers POST /ops/reconciliations {"date",
// "currency"?}: the provider's report of that UTC day matched against the
// ledger, stored as a run.
func (a *API) RunReconciliation(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	var in RunRequest
	if err := apigw.DecodeJSON(req, &in, maxBody); err != nil {
		return apigw.Response{}, err
	}
	d, err := a.date("date", in.Date)
	if err != nil {
		return apigw.Response{}, err
	}
	cur := in.Currency
	if cur == "" {
		cur = a.Currencies[0]
	}
	if _, ok := money.Exponent(cur); !ok {
		return apigw.Response{}, problem.Field("currency", "unknown currency")
	}
	if a.Reconciler.Reports == nil {
		return apigw.Response{}, problem.New(problem.Unprocessable, "no settlement report source for the configured payment provider")
	}
	run, err := a.Reconciler.Run(ctx, d.String(), cur)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, run)
}

// Runs lists reconciliation runs.
type Runs struct {
	Items []settlement.Run `json:"items"`
}

// GetReconciliations answers GET /ops/reconciliations/{date}: the day's
// runs, newest first.
func (a *API) GetReconciliations(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	d, err := a.date("date", req.PathParameters["date"])
	if err != nil {
		return apigw.Response{}, err
	}
	runs, err := a.Store.Runs(ctx, d.String())
	if err != nil {
		return apigw.Response{}, err
	}
	if runs == nil {
		runs = []settlement.Run{}
	}
	return apigw.JSON(http.StatusOK, Runs{Items: runs})
}

// Balance is a trial balance as the API shows it.
type Balance struct {
	Currency           string           `json:"currency"`
	Debits             int64            `json:"debits"`
	Credits            int64            `json:"credits"`
	Balanced           bool             `json:"balanced"`
	SnapshotConsistent bool             `json:"snapshotConsistent"`
	Accounts           []AccountBalance `json:"accounts"`
}

// AccountBalance is one account's totals.
type AccountBalance struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Debits  int64  `json:"debits"`
	Credits int64  `json:"credits"`
}

// TrialBalance answers GET /ops/ledger/trial-balance?currency=.
func (a *API) TrialBalance(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	cur := req.QueryStringParameters["currency"]
	if cur == "" {
		cur = a.Currencies[0]
	}
	if _, ok := money.Exponent(cur); !ok {
		return apigw.Response{}, problem.Field("currency", "unknown currency")
	}
	b, err := a.Ledger.TrialBalance(ctx, cur)
	if err != nil {
		return apigw.Response{}, err
	}
	out := Balance{Currency: cur, Debits: b.Debits, Credits: b.Credits, Balanced: b.Balanced, SnapshotConsistent: b.SnapshotConsistent, Accounts: []AccountBalance{}}
	for _, acc := range b.Accounts {
		out.Accounts = append(out.Accounts, AccountBalance{ID: acc.ID, Kind: string(acc.Kind), Debits: acc.DebitsPosted, Credits: acc.CreditsPosted})
	}
	return apigw.JSON(http.StatusOK, out)
}

// NewPostLedger builds the consumer of the ledger-events queue.
func NewPostLedger(ctx context.Context) (func(context.Context, events.SQSEvent) (events.SQSEventResponse, error), error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return a.HandleEvents, nil
}

// HandleEvents books each event of the batch, reporting the ones to
// retry (not ready yet, or failed); a message that is not an event goes to
// the DLQ through its retries.
func (a *API) HandleEvents(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		log := a.Log.With("message_id", rec.MessageId)
		e, err := outbox.Decode(rec.Body)
		if err == nil {
			err = a.Poster.Apply(ctx, e)
		}
		if err != nil {
			level := slog.LevelError
			if errors.Is(err, settlement.ErrNotReady) {
				level = slog.LevelWarn
			}
			log.Log(ctx, level, "book event", "event_id", e.ID, "type", e.Type, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

// NewSettleDaily builds the scheduled settlement: every merchant up to its
// latest business day that has ended.
func NewSettleDaily(ctx context.Context) (func(context.Context, json.RawMessage) (settlement.Summary, error), error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ json.RawMessage) (settlement.Summary, error) {
		sum, err := a.Settler.SettleAll(ctx, nil)
		a.Log.Info("settlement run", "batches", len(sum.Batches), "failures", len(sum.Failures), "payouts", sum.Payouts, "error", err)
		return sum, err
	}, nil
}

// NewReconcileDaily builds the scheduled reconciliation of yesterday (UTC)
// in every configured currency.
func NewReconcileDaily(ctx context.Context) (func(context.Context, json.RawMessage) ([]settlement.Run, error), error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ json.RawMessage) ([]settlement.Run, error) {
		if a.Reconciler.Reports == nil {
			a.Log.Warn("no settlement report source for the payment provider; nothing reconciled")
			return nil, nil
		}
		day := a.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
		var runs []settlement.Run
		for _, cur := range a.Currencies {
			run, err := a.Reconciler.Run(ctx, day, cur)
			if err != nil {
				return runs, err
			}
			a.Log.Info("reconciliation", "day", day, "currency", cur, "matched", run.Matched, "unmatched", run.Unmatched)
			runs = append(runs, run)
		}
		return runs, nil
	}, nil
}
