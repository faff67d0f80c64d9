package devserver

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jiaoyi-dev/jiaoyi/internal/apigw"
	"github.com/jiaoyi-dev/jiaoyi/internal/catalogapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/checkoutapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilmentapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/recommendapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/riskapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
	"github.com/jiaoyi-dev/jiaoyi/internal/searchapi"
)

// httpHandlers are the constructors of the routes' handlers, by function
// folder: the ones each function's main.go passes to internal/lambdafn.
var httpHandlers = map[string]func(context.Context) (apigw.Handler, error){
	"search/get-product":             searchapi.NewGetProduct,
	"search/list-slots":              searchapi.NewListSlots,
	"search/also-bought":             recommendapi.NewAlsoBought,
	"search/recommendations":         recommendapi.NewForYou,
	"checkout/place-order":           checkoutapi.NewPlaceOrder,
	"checkout/list-orders":           checkoutapi.NewListOrders,
	"checkout/get-order":             checkoutapi.NewGetOrder,
	"checkout/cancel-order":          checkoutapi.NewCancelOrder,
	"checkout/merchant-get-order":    checkoutapi.NewMerchantGetOrder,
	"checkout/merchant-refund":       checkoutapi.NewMerchantRefund,
	"checkout/ops-get-order":         checkoutapi.NewOpsGetOrder,
	"checkout/ops-refund":            checkoutapi.NewOpsRefund,
	"catalog/create-product":         catalogapi.NewCreateProduct,
	"catalog/list-merchant-products": catalogapi.NewListProducts,
	"catalog/update-product":         catalogapi.NewUpdateProduct,
	"catalog/adjust-stock":           catalogapi.NewAdjustStock,
	"catalog/update-sku":             catalogapi.NewUpdateSKU,
	"fulfilment/create-shipment":     fulfilmentapi.NewCreateShipment,
	"fulfilment/ready-for-pickup":    fulfilmentapi.NewReady,
	"fulfilment/redeem-pickup":       fulfilmentapi.NewRedeem,
	"fulfilment/carrier-webhook":     fulfilmentapi.NewCarrierWebhook,
	"pay-webhook/receive-webhook":    payapi.NewReceiveWebhook,
	"risk/list-reviews":              riskapi.NewListReviews,
	"risk/approve-review":            riskapi.NewApproveReview,
	"risk/reject-review":             riskapi.NewRejectReview,
	"risk/put-rules":                 riskapi.NewPutRules,
	"risk/add-block":                 riskapi.NewAddBlock,
}

// queueHandlers and scheduledHandlers are the consumers' constructors.
var (
	queueHandlers = map[string]func(context.Context) (routes.QueueHandler, error){
		"checkout/payment-timeout":         queue(checkoutapi.NewPaymentTimeout),
		"pay-webhook/apply-payment-events": queue(payapi.NewApplyPaymentEvents),
		"search/record-purchases":          queue(recommendapi.NewRecordPurchases),
	}
	scheduledHandlers = map[string]func(context.Context) (routes.ScheduledHandler, error){
		"pay-webhook/relay-outbox":       scheduled(payapi.NewRelayOutbox),
		"checkout/retry-refunds":         scheduled(checkoutapi.NewRetryRefunds),
		"checkout/sweep-reservations":    scheduled(checkoutapi.NewSweep),
		"search/refresh-recommendations": scheduled(recommendapi.NewRefresh),
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
