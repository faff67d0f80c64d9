package checkout

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
)

// CancelUncollected cancels pickup orders left at their store past their
// collect-by time, at most limit: each one's code stops working and its
// goods go back on the store's stock in one transaction (once), then it is
// refunded in full through the order's refunds (once: the refund id derives
// from the order). It returns how many it cancelled.
func (s *Service) CancelUncollected(ctx context.Context, limit int) (int, error) {
	return s.eachDue(ctx, orderdb.PickupDuePartition, s.Now(), limit, "cancel uncollected pickup", s.cancelUncollected)
}

func (s *Service) cancelUncollected(ctx context.Context, orderID string) (bool, error) {
	done := types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.orders.Table()), Key: orderdb.DueKey(orderdb.PickupDuePartition, orderID)}}
	expired := false
	o, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		changed, err := o.ExpirePickup(s.Now().UTC())
		if errors.Is(err, order.ErrAlreadyPicked) {
			return nil, orderdb.ErrUnchanged // collected (or refunded) in time
		}
		if err != nil || !changed {
			expired = err == nil
			return nil, orderdb.ErrUnchanged
		}
		expired = true
		items := []types.TransactWriteItem{done}
		for _, l := range o.Lines {
			it, err := takeStock(s.catalogTable, l.SKUID, l.Quantity, restockSources(*o, order.ReturnLine{SKUID: l.SKUID, Quantity: l.Quantity}), +1)
			if err != nil {
				return nil, err
			}
			items = append(items, it)
		}
		return items, nil
	})
	if err != nil {
		return false, err
	}
	if !expired {
		// Collected or refunded: the due item only goes.
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{done}})
		return false, err
	}
	if o.Refundable().Amount > 0 {
		_, err = s.Refund(ctx, orderID, RefundRequest{Reason: "not collected by " + o.Pickup.CollectBy.Format("2006-01-02"), Key: "uncollected"})
		if err != nil && !errors.Is(err, ErrRefundFailed) {
			return true, err
		}
	}
	// The refund is recorded (its retry job finishes it if the provider is
	// down); the due item goes.
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{done}})
	return true, err
}
