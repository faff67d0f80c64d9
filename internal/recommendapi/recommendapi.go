// Package recommendapi serves the recommendation routes ("also bought" on
// a product page, "for you" for a shopper), the consumer that counts paid
// orders' co-purchases, and the scheduled refresh of the lists.
package recommendapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jiaoyi-dev/jiaoyi/internal/access"
	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/recommend"
)

// Config is what the recommendation functions read from the environment.
type Config struct {
	AnalyticsTable string `env:"JIAOYI_TABLE_ANALYTICS,required,notEmpty"`
	CatalogTable   string `env:"JIAOYI_TABLE_CATALOG"`
	LogLevel       string `env:"LOG_LEVEL" envDefault:"info"`
}

// API answers the recommendation routes.
type API struct {
	Store   *recommend.Store
	Catalog *catalog.Repository
	Log     *slog.Logger
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
	return &API{Store: recommend.NewStore(db, cfg.AnalyticsTable), Catalog: catalog.NewRepository(db, cfg.CatalogTable),
		Log: logging.New(os.Stdout, cfg.LogLevel)}, nil
}

// NewAlsoBought builds GET /products/{id}/also-bought.
func NewAlsoBought(ctx context.Context) (apigw.Handler, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(a.Log, a.AlsoBought), nil
}

// NewForYou builds GET /me/recommendations.
func NewForYou(ctx context.Context) (apigw.Handler, error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(a.Log, a.ForYou), nil
}

// Item is a recommended product.
type Item struct {
	ID       string       `json:"id"`
	Name     catalog.Text `json:"name"`
	Brand    string       `json:"brand"`
	Category string       `json:"category"`
	Score    float64      `json:"score"`
}

// List is the answer of the recommendation routes: where it came from
// ("also-bought", "for-you" or "popular" for lack of history) and items.
type List struct {
	Source string `json:"source"`
	Items  []Item `json:"items"`
}

// AlsoBought answers GET /products/{id}/also-bought: what people who
// bought the product also bought, best-sellers for a product with no
// history yet; products no longer for sale are left out.
func (a *API) AlsoBought(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	id, err := catalog.ParseProductID(req.PathParameters["id"])
	if err != nil {
		return apigw.Response{}, err
	}
	top, err := a.Store.Top(ctx, id)
	if err != nil {
		return apigw.Response{}, err
	}
	source := "also-bought"
	if len(top) == 0 {
		source = "popular"
		if top, err = a.Store.Popular(ctx); err != nil {
			return apigw.Response{}, err
		}
	}
	return a.render(ctx, source, top, id)
}

// ForYou answers GET /me/recommendations: from the caller's own paid
// orders through the products' lists, best-sellers for a new shopper.
func (a *API) ForYou(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	c, err := access.Require(ctx)
	if err != nil {
		return apigw.Response{}, err
	}
	list, err := a.Store.ForCustomer(ctx, c.Subject, recommend.K)
	if err != nil {
		return apigw.Response{}, err
	}
	source := "for-you"
	if len(list) > 0 && list[0].Score == 0 {
		source = "popular"
	}
	return a.render(ctx, source, list, "")
}

// render reads the products (one batch read) and keeps those for sale.
func (a *API) render(ctx context.Context, source string, list []recommend.Scored, exclude string) (apigw.Response, error) {
	keys := catalog.Keys{}
	for _, s := range list {
		keys.Products = append(keys.Products, s.ProductID)
	}
	found, err := a.Catalog.Lookup(ctx, keys)
	if err != nil {
		return apigw.Response{}, err
	}
	out := List{Source: source, Items: []Item{}}
	for _, s := range list {
		p, ok := found.Products[s.ProductID]
		if !ok || p.Status != catalog.Active || p.ID == exclude || len(out.Items) == recommend.K {
			continue
		}
		out.Items = append(out.Items, Item{ID: p.ID, Name: p.Name, Brand: p.Brand, Category: p.Category, Score: s.Score})
	}
	resp, err := apigw.JSON(http.StatusOK, out)
	if err == nil {
		resp.Headers["Cache-Control"] = "public, max-age=60"
	}
	return resp, err
}

// Consumer counts paid orders' co-purchases.
type Consumer struct {
	Store *recommend.Store
	Log   *slog.Logger
}

// NewRecordPurchases builds the consumer of the recommend-events queue.
func NewRecordPurchases(ctx context.Context) (func(context.Context, events.SQSEvent) (events.SQSEventResponse, error), error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return (&Consumer{Store: a.Store, Log: a.Log}).Handle, nil
}

// Handle records each OrderPaid event of the batch once, reporting the
// ones to retry; a message that is not an event goes to the DLQ.
func (c *Consumer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		log := c.Log.With("message_id", rec.MessageId)
		e, err := outbox.Decode(rec.Body)
		var paid checkout.OrderPaid
		if err == nil && e.Type == checkout.TypeOrderPaid {
			err = json.Unmarshal(e.Data, &paid)
		}
		if err != nil {
			log.Error("malformed event", "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		if e.Type != checkout.TypeOrderPaid {
			continue // not ours (the subscription filters; be safe)
		}
		products := make([]string, len(paid.Lines))
		for i, l := range paid.Lines {
			products[i] = l.ProductID
		}
		if err := c.Store.Record(ctx, e.ID, paid.CustomerID, products); err != nil {
			log.Error("record purchases", "event_id", e.ID, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

// RefreshLimit bounds the lists one refresh rebuilds.
const RefreshLimit = 500

// NewRefresh builds the scheduled refresh of the lists.
func NewRefresh(ctx context.Context) (func(context.Context, json.RawMessage) (int, error), error) {
	a, err := deps(ctx)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ json.RawMessage) (int, error) {
		n, err := a.Store.Refresh(ctx, RefreshLimit)
		a.Log.Info("recommendations refreshed", "lists", n, "error", err)
		return n, err
	}, nil
}
