// Command checkoutcost places orders through the real POST /orders handler
// against the emulator (or AWS_ENDPOINT_URL) and reports, per placed order,
// the DynamoDB and SQS calls, the request units consumed (computed from item
// sizes by DynamoDB's rules, since the emulator reports none for
// transactions), the handler's time, and from those the cost per million
// orders at on-demand list prices. Each placed order is then booked as
// paid in the ledger (what the ledger-events consumer does for OrderPaid),
// metered apart, so the cost per paid order includes the ledger.
//
//	go run ./cmd/checkoutcost -orders 300 [-risk=false]
//
// With -risk (the default) checkout runs risk control as deployed: one
// BatchGetItem of the shopper's counters, profile, rules and block
// entries, and four counter updates in the placement transaction; run it
// with -risk=false to see what risk control adds.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/capacity"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/emulator"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/idempotency"
	"github.com/jiaoyi-dev/jiaoyi/internal/ledger"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk/riskdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
	"github.com/jiaoyi-dev/jiaoyi/internal/settlement"
)

// On-demand list prices, us-east-1, as published in 2026 (USD).
const (
	pricePerMillionWRU     = 0.625        // DynamoDB on-demand write request units
	pricePerMillionRRU     = 0.125        // DynamoDB on-demand read request units
	pricePerMillionSQS     = 0.40         // SQS standard requests (64 KB each)
	pricePerMillionLambda  = 0.20         // Lambda requests
	pricePerGBSecondArm    = 0.0000133334 // Lambda duration, arm64
	pricePerMillionHTTPAPI = 1.00         // API Gateway HTTP API requests (first 300M/month)
)

// Assumptions for the Lambda estimate in AWS (flags).
var awsCallMS, pspMS float64

func main() {
	orders := flag.Int("orders", 100, "orders to place")
	bookingShare := flag.Float64("booking", 0.3, "share of orders that book a store slot")
	flag.Float64Var(&awsCallMS, "aws-call-ms", 8, "assumed latency of one DynamoDB or SQS call in AWS, for the Lambda estimate")
	flag.Float64Var(&pspMS, "psp-ms", 250, "assumed latency of creating a payment intent at a real PSP")
	withRisk := flag.Bool("risk", true, "run risk control (counters read in one batch, updated in the placement transaction)")
	flag.Parse()
	if err := run(*orders, *bookingShare, *withRisk); err != nil {
		fmt.Fprintln(os.Stderr, "checkoutcost:", err)
		os.Exit(1)
	}
}

func run(n int, bookingShare float64, withRisk bool) error {
	ctx := context.Background()
	slog.SetDefault(logging.New(io.Discard, "error"))
	_, stop, err := emulator.EnsureEnv(ctx)
	if err != nil {
		return err
	}
	defer stop()
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return err
	}
	prefix := fmt.Sprintf("cost-%d-", time.Now().UnixNano())
	env, err := provision.All(ctx, awsCfg, prefix)
	if err != nil {
		return err
	}
	plain := dynamodb.NewFromConfig(awsCfg)
	repo := catalog.NewRepository(plain, env[resource.Catalog.EnvVar])
	if _, err := demo.Seed(ctx, repo, time.Now()); err != nil {
		return err
	}

	ours, psp, queue, book := capacity.NewMeter(), capacity.NewMeter(), capacity.NewMeter(), capacity.NewMeter()
	bookDB := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, book.Middleware) })
	poster := &settlement.Poster{Book: ledger.New(bookDB, env[resource.Ledger.EnvVar]), Merchants: catalog.NewRepository(bookDB, env[resource.Catalog.EnvVar]),
		Inbox:         &outbox.Inbox{DB: bookDB, Table: env[resource.Ledger.EnvVar], Consumer: "ledger"},
		ProviderFeeBP: map[string]int64{sandbox.Name: sandbox.FeeBasisPoints}}
	var ledgerCalls, ledgerWRU, ledgerRRU float64
	db := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, ours.Middleware) })
	pspDB := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, psp.Middleware) })
	sq := sqs.NewFromConfig(awsCfg, func(o *sqs.Options) { o.APIOptions = append(o.APIOptions, queue.Middleware) })
	cfg := checkout.Config{
		CatalogTable: env[resource.Catalog.EnvVar], OrdersTable: env[resource.Orders.EnvVar], PaymentsTable: env[resource.Payments.EnvVar],
		TimeoutQueueURL: env[resource.PaymentTimeouts.EnvVar], Hold: 15 * time.Minute,
		EventsTopicARN: env[resource.Events.EnvVar], MaxUnpaidOrders: 3, MaxHeldUnits: 50,
	}
	a := &checkoutapi.API{Checkout: checkout.New(db, cfg, sandbox.New(pspDB, cfg.PaymentsTable), sq, sns.NewFromConfig(awsCfg)), Idempotency: idempotency.NewStore(db, cfg.OrdersTable)}
	if withRisk {
		as, err := riskdb.NewAssessor(db, env[resource.Analytics.EnvVar], nil)
		if err != nil {
			return err
		}
		a.Checkout.Risk = as
	}
	h := apigw.Wrap(logging.New(io.Discard, "error"), a.Place)

	c := demo.Catalog()
	active := map[string]bool{}
	for _, p := range c.Products {
		active[p.ID] = p.Status == catalog.Active
	}
	store := demo.Stores()[0]
	var skus []string
	for _, s := range c.SKUs {
		// Pickup orders take from the store: SKUs it stocks.
		if active[s.ProductID] && s.StockAt(store.ID) > 20 {
			skus = append(skus, s.ID)
		}
	}
	slots, err := demo.Slots(store, time.Now().AddDate(0, 0, 1))
	if err != nil {
		return err
	}

	rng := rand.New(rand.NewPCG(1, 2))
	var times []time.Duration
	var totalCalls = map[string]int{}
	var wru, rru, pspCalls float64
	placed, failed := 0, 0
	for i := range n {
		ours.Reset()
		psp.Reset()
		queue.Reset()
		lines := 1 + rng.IntN(3)
		var ls []string
		for _, j := range rng.Perm(len(skus))[:lines] {
			ls = append(ls, fmt.Sprintf(`{"skuId":%q,"quantity":%d}`, skus[j], 1+rng.IntN(2)))
		}
		body := `{"lines":[` + strings.Join(ls, ",") + `],"fulfilment":{"type":"pickup","storeId":"` + store.ID + `"}`
		if rng.Float64() < bookingShare {
			body += `,"booking":{"storeId":"` + store.ID + `","slotId":"` + slots[rng.IntN(len(slots))].ID + `"}`
		}
		body += "}"
		req := events.APIGatewayV2HTTPRequest{RouteKey: "POST /orders", RawPath: "/orders", Body: body,
			Headers: map[string]string{"content-type": "application/json", "idempotency-key": fmt.Sprintf("cost-%d", i)}}
		req.RequestContext.HTTP.Method = "POST"
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": fmt.Sprintf("shopper-%d", i%50)}}}
		start := time.Now()
		resp, _ := h(ctx, req)
		elapsed := time.Since(start)
		if resp.StatusCode != 201 {
			failed++ // a full slot, a hold cap or a risk block; not counted
			continue
		}
		placed++
		times = append(times, elapsed)
		// Size the updated items now that they are written.
		if err := ours.SizeUpdates(ctx, plain.GetItem); err != nil {
			return err
		}
		for k, v := range ours.Calls {
			totalCalls[k] += v
		}
		for k, v := range queue.Calls {
			totalCalls[k] += v
		}
		for _, v := range psp.Calls {
			pspCalls += float64(v)
		}
		wru += ours.WRU
		rru += ours.RRU

		// Book it as paid. The first orders also create the accounts; that
		// one-off cost is counted too (it is small over many orders).
		var o order.Order
		if err := json.Unmarshal([]byte(resp.Body), &o); err != nil {
			return fmt.Errorf("decode order: %w", err)
		}
		e, err := outbox.New("evt_orderpaid_"+o.ID, checkout.TypeOrderPaid, 1, time.Now(), checkout.OrderPaid{
			OrderID: o.ID, CustomerID: o.CustomerID, Total: o.Total, Lines: o.Lines, PaidAt: time.Now(), Provider: sandbox.Name, IntentID: o.Payment.ID})
		if err != nil {
			return err
		}
		book.Reset()
		if err := poster.Apply(ctx, e); err != nil {
			return fmt.Errorf("book order %s: %w", o.ID, err)
		}
		if err := book.SizeUpdates(ctx, plain.GetItem); err != nil {
			return err
		}
		for _, v := range book.Calls {
			ledgerCalls += float64(v)
		}
		ledgerWRU += book.WRU
		ledgerRRU += book.RRU
	}
	if placed == 0 {
		return fmt.Errorf("no order placed (%d failed)", failed)
	}
	return report(placed, failed, totalCalls, wru, rru, pspCalls, times, ledgerCalls, ledgerWRU, ledgerRRU)
}

func report(placed, failed int, calls map[string]int, wru, rru, pspCalls float64, times []time.Duration, ledgerCalls, ledgerWRU, ledgerRRU float64) error {
	p := float64(placed)
	slices.Sort(times)
	var sum time.Duration
	for _, d := range times {
		sum += d
	}
	mean := sum / time.Duration(len(times))
	pct := func(q float64) time.Duration { return times[min(len(times)-1, int(q*float64(len(times))))] }

	memMB := 512
	for _, r := range routes.All() {
		if r.Function == "checkout/place-order" {
			memMB = r.MemoryMB
		}
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "placed orders\t%d (%d refused, not counted)\n", placed, failed)
	keys := make([]string, 0, len(calls))
	for k := range calls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ddbCalls, sqsCalls := 0.0, 0.0
	for _, k := range keys {
		per := float64(calls[k]) / p
		fmt.Fprintf(tw, "  %s per order\t%.2f\n", k, per)
		if strings.HasPrefix(k, "DynamoDB") {
			ddbCalls += per
		} else {
			sqsCalls += per
		}
	}
	fmt.Fprintf(tw, "DynamoDB calls per order\t%.2f (plus %.2f by the sandbox PSP, which a real PSP replaces)\n", ddbCalls, pspCalls/p)
	fmt.Fprintf(tw, "SQS calls per order\t%.2f\n", sqsCalls)
	fmt.Fprintf(tw, "write request units per order\t%.2f\n", wru/p)
	fmt.Fprintf(tw, "read request units per order\t%.2f\n", rru/p)
	fmt.Fprintf(tw, "ledger booking per paid order\t%.2f DynamoDB calls, %.2f WRU, %.2f RRU\n", ledgerCalls/p, ledgerWRU/p, ledgerRRU/p)
	fmt.Fprintf(tw, "handler time vs emulator\tmean %s, p50 %s, p95 %s, max %s\n", mean.Round(time.Microsecond), pct(0.5).Round(time.Microsecond), pct(0.95).Round(time.Microsecond), times[len(times)-1].Round(time.Microsecond))

	dynamo := (wru/p*pricePerMillionWRU + rru/p*pricePerMillionRRU)
	queueCost := sqsCalls * pricePerMillionSQS
	lambdaCost := func(ms float64) float64 {
		return pricePerMillionLambda + 1e6*ms/1000*float64(memMB)/1024*pricePerGBSecondArm
	}
	billedMS := float64((mean + time.Millisecond - 1) / time.Millisecond)
	lambda := lambdaCost(billedMS)
	awsMS := (ddbCalls+sqsCalls)*awsCallMS + pspMS
	lambdaAWS := lambdaCost(awsMS)
	api := pricePerMillionHTTPAPI
	fmt.Fprintf(tw, "\ncost per million placed orders (USD, on-demand list prices, us-east-1)\t\n")
	fmt.Fprintf(tw, "  DynamoDB\t%.2f\t(%.3f/M WRU, %.3f/M RRU)\n", dynamo, pricePerMillionWRU, pricePerMillionRRU)
	fmt.Fprintf(tw, "  SQS\t%.2f\t(%.2f/M requests)\n", queueCost, pricePerMillionSQS)
	fmt.Fprintf(tw, "  Lambda, in AWS (estimate)\t%.2f\t(arm64 %d MB, %.0f ms: %.0f calls × %.0f ms + PSP %.0f ms; %.2f/M requests, %.10f/GB-s)\n",
		lambdaAWS, memMB, awsMS, ddbCalls+sqsCalls, awsCallMS, pspMS, pricePerMillionLambda, pricePerGBSecondArm)
	fmt.Fprintf(tw, "  Lambda, at the emulator's time\t%.2f\t(%.0f ms mean against the emulator)\n", lambda, billedMS)
	fmt.Fprintf(tw, "  API Gateway HTTP API\t%.2f\t(%.2f/M requests)\n", api, pricePerMillionHTTPAPI)
	// The ledger consumer: its DynamoDB, one SNS→SQS delivery and the SQS
	// receive and delete (batches of 10), and a tenth of an invocation.
	ledgerDynamo := ledgerWRU/p*pricePerMillionWRU + ledgerRRU/p*pricePerMillionRRU
	ledgerQueue := (1 + 0.2) * pricePerMillionSQS
	ledgerLambda := 0.1 * lambdaCost(ledgerCalls/p*awsCallMS*10)
	ledgerCost := ledgerDynamo + ledgerQueue + ledgerLambda
	fmt.Fprintf(tw, "  ledger booking (DynamoDB %.2f, SQS %.2f, Lambda %.2f)\t%.2f\t(per paid order: the ledger-events consumer)\n", ledgerDynamo, ledgerQueue, ledgerLambda, ledgerCost)
	fmt.Fprintf(tw, "  total, in AWS (estimate)\t%.2f\t\n", dynamo+queueCost+lambdaAWS+api+ledgerCost)
	return tw.Flush()
}
