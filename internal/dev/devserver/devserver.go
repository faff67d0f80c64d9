// Package devserver is the local platform behind `make run`: it starts the
// emulator (or uses the endpoint given), creates the tables and queues from
// internal/resource, seeds the demo catalog, and serves every route of
// internal/routes on localhost through the local API Gateway stand-in.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/demand"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/devauth"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/emulator"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/localgw"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/recommend"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
)

// Options configure Run.
type Options struct {
	// Addr to listen on, e.g. 127.0.0.1:8080.
	Addr string
	// Endpoint of an AWS emulator (LocalStack, a running moto); empty starts one.
	Endpoint string
	// Prefix of table and queue names.
	Prefix string
	// Log receives the platform's and the handlers' log lines.
	Log *slog.Logger
	// Ready, if set, is called with the listening address once requests are
	// served, and with a sample product id.
	Ready func(addr string, sample Sample)
}

// Sample is what the banner shows to try.
type Sample struct {
	ProductID, MerchantID string
	// Token is a development bearer token for the demo shopper;
	// MerchantToken for staff of the sample product's merchant, OpsToken
	// for an operator.
	Token, MerchantToken, OpsToken string
	Seeded                         demo.Summary
	Endpoint                       string
	Elapsed                        time.Duration
}

// ErrAddrInUse means the listen address is taken.
var ErrAddrInUse = errors.New("address already in use")

// Run serves the local platform until ctx ends; it stops the emulator it
// started before returning.
func Run(ctx context.Context, opt Options) error {
	start := time.Now()
	if !resource.ValidPrefix(opt.Prefix) {
		return fmt.Errorf("invalid prefix %q: use letters, digits, - and _", opt.Prefix)
	}
	// Take the port first: a port in use is an error now, not after the
	// emulator has started.
	ln, err := net.Listen("tcp", opt.Addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("listen on %s: %w: another process (an earlier `make run`?) holds it; stop it or pick another address with JIAOYI_ADDR=127.0.0.1:8081 make run", opt.Addr, ErrAddrInUse)
		}
		return fmt.Errorf("listen on %s: %w", opt.Addr, err)
	}
	defer ln.Close()

	if opt.Endpoint != "" {
		os.Setenv("AWS_ENDPOINT_URL", opt.Endpoint)
	} else {
		opt.Log.Info("starting AWS emulator (moto, one request at a time)")
	}
	endpoint, stopEmulator, err := emulator.EnsureEnv(ctx)
	if err != nil {
		return err
	}
	defer stopEmulator()

	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return err
	}
	env, err := provision.All(ctx, awsCfg, opt.Prefix)
	if err != nil {
		return fmt.Errorf("provision at %s: %w", endpoint, err)
	}
	// The handlers read their table and queue names from the environment,
	// exactly as in Lambda.
	for k, v := range env {
		os.Setenv(k, v)
	}
	if os.Getenv("JIAOYI_WEBHOOK_SECRETS_SANDBOX") == "" {
		os.Setenv("JIAOYI_WEBHOOK_SECRETS_SANDBOX", DefaultSandboxSecret)
	}
	if os.Getenv("JIAOYI_WEBHOOK_SECRETS_CARRIERS") == "" {
		// The sandbox carrier, and sf-express for trying the route by hand.
		os.Setenv("JIAOYI_WEBHOOK_SECRETS_CARRIERS", "sandbox:"+DefaultCarrierSecret+",sf-express:"+DefaultCarrierSecret)
	}
	// The emulator reads at most 25 items per TransactGetItems; a local
	// early settlement takes what was posted until a moment ago.
	for k, v := range map[string]string{"JIAOYI_LEDGER_SNAPSHOT": "25", "JIAOYI_SETTLEMENT_GRACE": "2s"} {
		if os.Getenv(k) == "" {
			os.Setenv(k, v)
		}
	}
	repo := catalog.NewRepository(dynamodb.NewFromConfig(awsCfg), env[resource.Catalog.EnvVar])
	seeded, err := demo.Seed(ctx, repo, time.Now())
	if err != nil {
		return err
	}
	if err := seedRecommendations(ctx, dynamodb.NewFromConfig(awsCfg), env[resource.Analytics.EnvVar], repo); err != nil {
		return err
	}

	// The search functions open the published index at start: publish the
	// demo catalog's first (the rebuild consumer refreshes it as it changes).
	rebuilder, err := searchapi.NewRebuilder(ctx)
	if err != nil {
		return err
	}
	if err := rebuilder.Rebuild(ctx); err != nil {
		return fmt.Errorf("build the search index: %w", err)
	}

	gw, err := Gateway(ctx, opt.Log, devauth.Authenticator(devSecret()))
	if err != nil {
		return err
	}
	consumerCtx, stopConsumers := context.WithCancel(ctx)
	defer stopConsumers()
	if err := runConsumers(consumerCtx, awsCfg, opt.Log); err != nil {
		return err
	}
	go seedForecasts(consumerCtx, dynamodb.NewFromConfig(awsCfg), env[resource.Analytics.EnvVar], repo, opt.Log)
	token, err := devauth.Token(devSecret(), "demo-shopper", 24*time.Hour, time.Now())
	if err != nil {
		return err
	}
	sampleProduct := demo.Catalog().Products[0]
	merchantToken, err := devauth.Token(devSecret(), "demo-merchant-staff", 24*time.Hour, time.Now(), "merchant:"+sampleProduct.MerchantID)
	if err != nil {
		return err
	}
	opsToken, err := devauth.Token(devSecret(), "demo-operator", 24*time.Hour, time.Now(), "ops")
	if err != nil {
		return err
	}
	svc, _, db, _, err := checkout.FromEnv(ctx)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /_sandbox/orders/{id}/{outcome}", &sandboxPSP{
		checkout: svc, provider: sandbox.New(db, env[resource.Payments.EnvVar]),
		deliver: &sandbox.Deliverer{URL: "http://" + ln.Addr().String() + "/webhooks/sandbox", Secret: sandboxSecret()},
		log:     opt.Log,
	})
	reports := &sandboxReports{provider: sandbox.New(db, env[resource.Payments.EnvVar])}
	mux.HandleFunc("GET /_sandbox/reports/{date}", reports.get)
	mux.HandleFunc("PUT /_sandbox/reports/{date}/tamper", reports.tamper)
	mux.Handle("POST /_sandbox/shipments/{id}/{status}", &sandboxCarrier{
		orders: svc.Orders(), url: "http://" + ln.Addr().String() + "/webhooks/carrier", secret: DefaultCarrierSecret,
		log: opt.Log, client: &http.Client{Timeout: 10 * time.Second},
	})
	mux.Handle("/", gw)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if opt.Ready != nil {
		opt.Ready(ln.Addr().String(), Sample{
			ProductID: sampleProduct.ID, MerchantID: sampleProduct.MerchantID, Seeded: seeded,
			Endpoint: endpoint, Elapsed: time.Since(start), Token: token, MerchantToken: merchantToken, OpsToken: opsToken,
		})
	}
	return localgw.Serve(ctx, srv, ln)
}

// Gateway builds every route's real handler from the environment and
// returns the local API Gateway serving them, checking bearer tokens with auth.
func Gateway(ctx context.Context, log *slog.Logger, auth localgw.Authenticator) (*localgw.Gateway, error) {
	var rs []localgw.Route
	for _, r := range routes.All() {
		newHandler, ok := httpHandlers[r.Function]
		if !ok {
			return nil, fmt.Errorf("route %s: %s has no constructor in the dev server's registry", r.Key(), r.Function)
		}
		h, err := lambdafn.Handler(ctx, r, newHandler)
		if err != nil {
			return nil, fmt.Errorf("build %s (%s): %w", r.Key(), r.Function, err)
		}
		rs = append(rs, localgw.Route{Method: r.Method, Path: r.Path, Handler: h, NeedsAuth: !r.Public()})
	}
	return localgw.New(log, auth, rs)
}

// DefaultSandboxSecret signs the sandbox's webhooks under `make run`.
const DefaultSandboxSecret = "whsec_local_sandbox"

func sandboxSecret() string {
	if s := os.Getenv("JIAOYI_WEBHOOK_SECRETS_SANDBOX"); s != "" {
		first, _, _ := strings.Cut(s, ",")
		return first
	}
	return DefaultSandboxSecret
}

// devSecret is the key of development tokens.
func devSecret() string {
	if s := os.Getenv("JIAOYI_DEV_JWT_SECRET"); s != "" {
		return s
	}
	return devauth.DefaultSecret
}

// seedRecommendations gives the demo an order history to learn from: the
// co-purchase counts and lists a seeded history of 2,000 shoppers makes
// (recommend.Simulate), once.
func seedRecommendations(ctx context.Context, db *dynamodb.Client, analytics string, repo *catalog.Repository) error {
	const marker = "recommend-history-v1"
	done, err := repo.HasMarker(ctx, marker)
	if err != nil || done {
		return err
	}
	var ps []recommend.Product
	for _, p := range demo.Catalog().Products {
		if p.Status == catalog.Active {
			ps = append(ps, recommend.Product{ID: p.ID, Category: p.Category, Brand: p.Brand})
		}
	}
	if err := recommend.NewStore(db, analytics).Seed(ctx, recommend.Simulate(ps, 2000, 1)); err != nil {
		return fmt.Errorf("seed recommendations: %w", err)
	}
	return repo.PutMarker(ctx, marker)
}

// seedForecasts gives the forecasting screens something real: two years
// of the demo's demand history (demo.History), then a forecast run, as
// the nightly schedule would start, so GET /merchant/replenishment has
// plans a minute after start. In the background: the API is up meanwhile.
func seedForecasts(ctx context.Context, db *dynamodb.Client, analytics string, repo *catalog.Repository, log *slog.Logger) {
	start := time.Now()
	zone, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		log.Error("seed demand history", "error", err)
		return
	}
	marker := "demand-history-v1/" + time.Now().In(zone).Format("2006-01-02")
	done, err := repo.HasMarker(ctx, marker)
	if err != nil || done {
		return
	}
	store := &demand.Store{DB: db, Table: analytics, Zone: zone}
	var series []demand.Series
	for _, h := range demo.History(time.Now(), zone) {
		series = append(series, h.Total)
		series = append(series, h.ByPlace...)
	}
	if err := store.Seed(ctx, series); err != nil {
		log.Error("seed demand history", "error", err)
		return
	}
	if err := repo.PutMarker(ctx, marker); err != nil {
		log.Error("seed demand history", "error", err)
		return
	}
	log.Info("demand history seeded", "skus", demo.HistorySKUs, "series", len(series), "days", demo.HistoryDays, "seconds", time.Since(start).Seconds())
	plan, err := forecastapi.NewPlanForecasts(ctx)
	if err == nil {
		_, err = plan(ctx, nil)
	}
	if err != nil {
		log.Error("start the first forecast run", "error", err)
	}
}
