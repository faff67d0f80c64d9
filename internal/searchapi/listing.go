package searchapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
	"github.com/jiaoyi-dev/jiaoyi/internal/search"
)

// SearchConfig is what the search functions read from the environment.
type SearchConfig struct {
	CatalogTable string `env:"JIAOYI_TABLE_CATALOG,required,notEmpty"`
	// SearchBucket holds the published index snapshots.
	SearchBucket string `env:"JIAOYI_SEARCH_BUCKET,required,notEmpty"`
	// RefreshSeconds is how often the snapshot manifest is checked.
	RefreshSeconds int    `env:"JIAOYI_SEARCH_REFRESH_SECONDS" envDefault:"60"`
	SnapshotDir    string `env:"JIAOYI_SEARCH_DIR" envDefault:"/tmp"`
	LogLevel       string `env:"LOG_LEVEL" envDefault:"info"`
}

// Engines hands out the current search engine for one query; the caller
// calls release when done.
type Engines interface {
	Acquire(ctx context.Context) (eng *search.Engine, release func())
}

var _ Engines = (*search.Live)(nil)

// StockReader reads SKUs (for their current stock) in one batch.
type StockReader interface {
	SKUs(ctx context.Context, ids []string) (map[string]catalog.SKU, error)
}

var _ StockReader = (*catalog.Repository)(nil)

// Search answers GET /products, GET /products/suggest and
// GET /products/{id}/similar.
type Search struct {
	Engines Engines
	Stock   StockReader
	Log     *slog.Logger
}

var (
	livesMu sync.Mutex
	lives   = map[string]*search.Live{}
)

// newSearch builds Search from the environment. The snapshot is
// downloaded once per process and bucket and shared by the handlers.
func newSearch(ctx context.Context) (*Search, *slog.Logger, error) {
	cfg, err := config.Load[SearchConfig]()
	if err != nil {
		return nil, nil, err
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return nil, nil, err
	}
	log := logging.New(os.Stdout, cfg.LogLevel)
	livesMu.Lock()
	defer livesMu.Unlock()
	live, ok := lives[cfg.SearchBucket]
	if !ok {
		client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
			// The emulator serves buckets by path, not by host name.
			o.UsePathStyle = os.Getenv("AWS_ENDPOINT_URL") != ""
			o.DisableLogOutputChecksumValidationSkipped = true
		})
		live, err = search.OpenLive(ctx, client, cfg.SearchBucket, cfg.SnapshotDir, time.Duration(cfg.RefreshSeconds)*time.Second)
		if err != nil {
			return nil, nil, fmt.Errorf("open search snapshot: %w", err)
		}
		lives[cfg.SearchBucket] = live
	}
	repo := catalog.NewRepository(dynamodb.NewFromConfig(awsCfg), cfg.CatalogTable)
	return &Search{Engines: live, Stock: repo, Log: log}, log, nil
}

// NewSearchProducts builds the GET /products handler from the environment.
func NewSearchProducts(ctx context.Context) (apigw.Handler, error) {
	s, log, err := newSearch(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(log, s.List), nil
}

// NewSuggestProducts builds the GET /products/suggest handler from the
// environment.
func NewSuggestProducts(ctx context.Context) (apigw.Handler, error) {
	s, log, err := newSearch(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(log, s.Suggest), nil
}

// NewSimilarProducts builds the GET /products/{id}/similar handler from
// the environment.
func NewSimilarProducts(ctx context.Context) (apigw.Handler, error) {
	s, log, err := newSearch(ctx)
	if err != nil {
		return nil, err
	}
	return apigw.Wrap(log, s.Similar), nil
}

// Price is a product's price range in minor units.
type Price struct {
	Min      int64  `json:"min"`
	Max      int64  `json:"max"`
	Currency string `json:"currency"`
}

// Item is a product on a result page.
type Item struct {
	ID       string       `json:"id"`
	Name     catalog.Text `json:"name"`
	Brand    string       `json:"brand"`
	Category string       `json:"category"`
	Price    Price        `json:"price"`
	InStock  bool         `json:"inStock"`
	// InStockAtStore is whether the store asked for (?store=) has any of
	// it for pickup now.
	InStockAtStore *bool        `json:"inStockAtStore,omitempty"`
	Highlight      catalog.Text `json:"highlight"`
}

// Page is the answer of GET /products.
type Page struct {
	Items      []Item        `json:"items"`
	Total      uint64        `json:"total"`
	Facets     search.Facets `json:"facets"`
	NextCursor *string       `json:"nextCursor"`
}

// Limits of the listing parameters.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	maxSimilar   = 20
)

// query returns the request's query parameters, repeated ones intact.
func query(req apigw.Request) url.Values {
	if req.RawQueryString != "" {
		if v, err := url.ParseQuery(req.RawQueryString); err == nil {
			return v
		}
	}
	v := url.Values{}
	for k, s := range req.QueryStringParameters {
		v[k] = strings.Split(s, ",") // API Gateway joins repeats with commas
	}
	return v
}

func parseQ(v url.Values) (string, error) {
	q := v.Get("q")
	if utf8.RuneCountInString(q) > search.MaxQueryRunes {
		return "", problem.Field("q", fmt.Sprintf("q must be at most %d characters", search.MaxQueryRunes))
	}
	return q, nil
}

func parseLimit(v url.Values, def, most int) (int, error) {
	s := v.Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > most {
		return 0, problem.Field("limit", fmt.Sprintf("limit must be a whole number from 1 to %d", most))
	}
	return n, nil
}

func parsePrice(v url.Values, name string) (int64, error) {
	s := v.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 1e12 {
		return 0, problem.Field(name, name+" must be a whole number of minor units (e.g. fen), 0 or more")
	}
	return n, nil
}

// parseRequest validates the listing parameters.
func parseRequest(v url.Values) (search.Request, error) {
	var r search.Request
	var err error
	if r.Query, err = parseQ(v); err != nil {
		return r, err
	}
	r.Category = v.Get("category")
	for _, b := range v["brand"] {
		if b = strings.TrimSpace(b); b != "" {
			r.Brands = append(r.Brands, b)
		}
	}
	if r.PriceMin, err = parsePrice(v, "priceMin"); err != nil {
		return r, err
	}
	if r.PriceMax, err = parsePrice(v, "priceMax"); err != nil {
		return r, err
	}
	if r.PriceMax > 0 && r.PriceMin > r.PriceMax {
		return r, problem.Field("priceMin", "priceMin must not exceed priceMax")
	}
	switch v.Get("inStock") {
	case "", "false":
	case "true":
		r.InStock = true
	default:
		return r, problem.Field("inStock", "inStock must be true or false")
	}
	if s := v.Get("store"); s != "" {
		if !id.Valid(id.Store, s) {
			return r, problem.Field("store", "store id is malformed: want sto_ followed by 16 characters a-z, 2-7")
		}
		r.Store = s
	}
	var ok bool
	if r.Sort, ok = search.ParseSort(v.Get("sort")); !ok {
		return r, problem.Field("sort", "sort must be one of relevance, price_asc, price_desc, newest, bestselling")
	}
	if r.Limit, err = parseLimit(v, DefaultLimit, MaxLimit); err != nil {
		return r, err
	}
	r.Cursor = v.Get("cursor")
	return r, nil
}

// List answers GET /products: a page of matching products with facets and
// a cursor to the next page. Stock on the page is read fresh from the
// catalog table; the inStock filter uses the snapshot (which may lag).
func (s *Search) List(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	r, err := parseRequest(query(req))
	if err != nil {
		return apigw.Response{}, err
	}
	eng, release := s.Engines.Acquire(ctx)
	defer release()
	res, err := eng.Search(ctx, r)
	if errors.Is(err, search.ErrCursor) {
		return apigw.Response{}, problem.Field("cursor", "cursor is malformed or belongs to another query or sort")
	}
	if err != nil {
		return apigw.Response{}, err
	}
	page := Page{Items: s.items(ctx, res.Hits, r.Store), Total: res.Total, Facets: res.Facets}
	if res.NextCursor != "" {
		page.NextCursor = &res.NextCursor
	}
	return apigw.JSON(http.StatusOK, page)
}

// items turns hits into items with stock read in one batch (at store, if
// one is asked for). If the read fails, the snapshot's stock flags are
// shown and the failure logged.
func (s *Search) items(ctx context.Context, hits []search.Hit, store string) []Item {
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.Doc.SKUIDs...)
	}
	var stock map[string]catalog.SKU
	if len(ids) > 0 {
		var err error
		if stock, err = s.Stock.SKUs(ctx, ids); err != nil {
			s.Log.WarnContext(ctx, "read stock for search page; showing snapshot stock", "err", err)
			stock = nil
		}
	}
	items := make([]Item, 0, len(hits))
	for _, h := range hits {
		d := h.Doc
		it := Item{ID: d.ID, Name: d.Name, Brand: d.Brand, Category: d.Category,
			Price:     Price{Min: d.PriceMin, Max: d.PriceMax, Currency: d.Currency},
			InStock:   d.InStock,
			Highlight: catalog.Text{ZH: h.Highlight.ZH, EN: h.Highlight.EN}}
		if it.Highlight.ZH == "" {
			it.Highlight = d.Name
		}
		if store != "" {
			at := slices.Contains(d.Stores, store)
			it.InStockAtStore = &at
		}
		if stock != nil {
			it.InStock = false
			at := false
			for _, sid := range d.SKUIDs {
				if sku, ok := stock[sid]; ok {
					it.InStock = it.InStock || sku.Available > 0
					at = at || (store != "" && sku.StockAt(store) > 0)
				}
			}
			if store != "" {
				it.InStockAtStore = &at
			}
		}
		items = append(items, it)
	}
	return items
}

// Suggestions is the answer of GET /products/suggest.
type Suggestions struct {
	Suggestions []string `json:"suggestions"`
}

// Suggest answers GET /products/suggest?q=: at most 10 completions.
func (s *Search) Suggest(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	q, err := parseQ(query(req))
	if err != nil {
		return apigw.Response{}, err
	}
	eng, release := s.Engines.Acquire(ctx)
	defer release()
	resp, err := apigw.JSON(http.StatusOK, Suggestions{Suggestions: eng.Suggest(q, search.MaxSuggestions)})
	if err == nil {
		resp.Headers["Cache-Control"] = "public, max-age=300"
	}
	return resp, err
}

// SimilarItems is the answer of GET /products/{id}/similar.
type SimilarItems struct {
	Items []Item `json:"items"`
}

// Similar answers GET /products/{id}/similar: products like this one by
// name, category and brand. A malformed id is 400; a product not in the
// index (unknown or inactive) is 404.
func (s *Search) Similar(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	productID, err := catalog.ParseProductID(req.PathParameters["id"])
	if err != nil {
		return apigw.Response{}, err
	}
	limit, err := parseLimit(query(req), 10, maxSimilar)
	if err != nil {
		return apigw.Response{}, err
	}
	eng, release := s.Engines.Acquire(ctx)
	defer release()
	hits, err := eng.Similar(ctx, productID, limit)
	if errors.Is(err, search.ErrNotFound) {
		return apigw.Response{}, catalog.ErrProductNotFound
	}
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.JSON(http.StatusOK, SimilarItems{Items: s.items(ctx, hits, "")})
}
