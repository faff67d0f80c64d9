package devserver

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalogapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilmentapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/recommendapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/riskapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/settleapi"
)

// httpHandlers are the constructors of the routes' handlers, by function
// folder: the ones each function's main.go passes to internal/lambdafn.
var httpHandlers = map[string]func(context.Context) (apigw.Handler, error){
	"search/get-product":              searchapi.NewGetProduct,
	"search/list-slots":               searchapi.NewListSlots,
	"search/also-bought":              recommendapi.NewAlsoBought,
	"search/search-products":          searchapi.NewSearchProducts,
	"search/suggest-products":         searchapi.NewSuggestProducts,
	"search/similar-products":         searchapi.NewSimilarProducts,
	"search/recommendations":          recommendapi.NewForYou,
	"checkout/place-order":            checkoutapi.NewPlaceOrder,
	"checkout/list-orders":            checkoutapi.NewListOrders,
	"checkout/get-order":              checkoutapi.NewGetOrder,
	"checkout/cancel-order":           checkoutapi.NewCancelOrder,
	"checkout/merchant-get-order":     checkoutapi.NewMerchantGetOrder,
	"checkout/merchant-refund":        checkoutapi.NewMerchantRefund,
	"checkout/ops-get-order":          checkoutapi.NewOpsGetOrder,
	"checkout/ops-refund":             checkoutapi.NewOpsRefund,
	"checkout/request-return":         checkoutapi.NewRequestReturn,
	"checkout/approve-return":         checkoutapi.NewApproveReturn,
	"checkout/reject-return":          checkoutapi.NewRejectReturn,
	"checkout/receive-return":         checkoutapi.NewReceiveReturn,
	"catalog/create-product":          catalogapi.NewCreateProduct,
	"catalog/list-merchant-products":  catalogapi.NewListProducts,
	"catalog/update-product":          catalogapi.NewUpdateProduct,
	"catalog/adjust-stock":            catalogapi.NewAdjustStock,
	"catalog/update-sku":              catalogapi.NewUpdateSKU,
	"fulfilment/create-shipment":      fulfilmentapi.NewCreateShipment,
	"fulfilment/ready-for-pickup":     fulfilmentapi.NewReady,
	"fulfilment/redeem-pickup":        fulfilmentapi.NewRedeem,
	"fulfilment/check-in":             fulfilmentapi.NewCheckIn,
	"fulfilment/carrier-webhook":      fulfilmentapi.NewCarrierWebhook,
	"pay-webhook/receive-webhook":     payapi.NewReceiveWebhook,
	"settle/list-settlements":         settleapi.NewListSettlements,
	"forecast/get-forecast":           forecastapi.NewGetForecast,
	"forecast/list-replenishment":     forecastapi.NewListReplenishment,
	"forecast/put-policy":             forecastapi.NewPutPolicy,
	"forecast/get-sku-terms":          forecastapi.NewGetTerms,
	"forecast/put-sku-terms":          forecastapi.NewPutTerms,
	"forecast/create-purchase-order":  forecastapi.NewCreatePurchaseOrder,
	"forecast/list-purchase-orders":   forecastapi.NewListPurchaseOrders,
	"forecast/receive-purchase-order": forecastapi.NewReceivePurchaseOrder,
	"forecast/cancel-purchase-order":  forecastapi.NewCancelPurchaseOrder,
	"settle/get-settlement":           settleapi.NewGetSettlement,
	"settle/ops-settlements":          settleapi.NewOpsSettlements,
	"settle/run-settlement":           settleapi.NewRunSettlement,
	"settle/run-reconciliation":       settleapi.NewRunReconciliation,
	"settle/get-reconciliations":      settleapi.NewGetReconciliations,
	"settle/trial-balance":            settleapi.NewTrialBalance,
	"risk/list-reviews":               riskapi.NewListReviews,
	"risk/approve-review":             riskapi.NewApproveReview,
	"risk/reject-review":              riskapi.NewRejectReview,
	"risk/put-rules":                  riskapi.NewPutRules,
	"risk/add-block":                  riskapi.NewAddBlock,
}

// queueHandlers, scheduledHandlers and streamHandlers are the consumers'
// constructors.
var (
	streamHandlers = map[string]func(context.Context) (func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), error){
		"search/rebuild-index": searchapi.NewRebuildIndex,
	}
	queueHandlers = map[string]func(context.Context) (routes.QueueHandler, error){
		"checkout/payment-timeout":         queue(checkoutapi.NewPaymentTimeout),
		"pay-webhook/apply-payment-events": queue(payapi.NewApplyPaymentEvents),
		"search/record-purchases":          queue(recommendapi.NewRecordPurchases),
		"settle/post-ledger":               queue(settleapi.NewPostLedger),
		"forecast/record-demand":           queue(forecastapi.NewRecordDemand),
		"forecast/run-forecasts":           queue(forecastapi.NewRunForecasts),
	}
	scheduledHandlers = map[string]func(context.Context) (routes.ScheduledHandler, error){
		"pay-webhook/relay-outbox":       scheduled(payapi.NewRelayOutbox),
		"checkout/retry-refunds":         scheduled(checkoutapi.NewRetryRefunds),
		"checkout/cancel-uncollected":    scheduled(checkoutapi.NewCancelUncollected),
		"checkout/mark-no-shows":         scheduled(checkoutapi.NewMarkNoShows),
		"checkout/complete-orders":       scheduled(checkoutapi.NewCompleteOrders),
		"checkout/sweep-reservations":    scheduled(checkoutapi.NewSweep),
		"search/refresh-recommendations": scheduled(recommendapi.NewRefresh),
		"settle/settle-daily":            scheduled(settleapi.NewSettleDaily),
		"settle/reconcile-daily":         scheduled(settleapi.NewReconcileDaily),
		"forecast/plan-forecasts":        scheduled(forecastapi.NewPlanForecasts),
	}
)

func queue(newHandler func(context.Context) (func(context.Context, events.SQSEvent) (events.SQSEventResponse, error), error)) func(context.Context) (routes.QueueHandler, error) {
	return func(ctx context.Context) (routes.QueueHandler, error) {
		h, err := newHandler(ctx)
		return h, err
	}
}

// scheduled adapts a scheduled function's constructor, whose handler also
// returns a result (logged by the function), to ScheduledHandler.
func scheduled[T any](newHandler func(context.Context) (func(context.Context, json.RawMessage) (T, error), error)) func(context.Context) (routes.ScheduledHandler, error) {
	return func(ctx context.Context) (routes.ScheduledHandler, error) {
		h, err := newHandler(ctx)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, in json.RawMessage) error {
			_, err := h(ctx, in)
			return err
		}, nil
	}
}
