package checkout

import (
	"context"
	"errors"
	"math/big"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/logging"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
)

// MarkNoShows settles bookings whose slot has ended without a check-in,
// at most limit: each is marked a no-show once, and refunded the part its
// store's policy says (NoShowRefundBasisPoints of the order's total,
// half-even; none by default), once. It returns how many it marked.
func (s *Service) MarkNoShows(ctx context.Context, limit int) (int, error) {
	return s.eachDue(ctx, orderdb.NoShowPartition, s.Now(), limit, "no-show", s.markNoShow)
}

func (s *Service) markNoShow(ctx context.Context, orderID string) (bool, error) {
	done := types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.orders.Table()), Key: orderdb.DueKey(orderdb.NoShowPartition, orderID)}}
	marked := false
	o, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		marked = o.MarkNoShow(s.Now().UTC())
		if !marked {
			return nil, orderdb.ErrUnchanged
		}
		return []types.TransactWriteItem{done}, nil
	})
	if err != nil {
		return false, err
	}
	if !marked {
		// Checked in (or marked before): only the due item goes.
		return false, dynamo.Transact(ctx, s.db, []types.TransactWriteItem{done})
	}
	logging.From(ctx).Info("booking no-show", "order_id", o.ID, "slot_id", o.Booking.SlotID)
	st, err := s.catalog.Store(ctx, o.Booking.StoreID)
	if err != nil || st.NoShowRefundBasisPoints <= 0 {
		return true, err
	}
	part := settle.RoundHalfEven(new(big.Int).Mul(big.NewInt(o.Total.Amount), big.NewInt(st.NoShowRefundBasisPoints)), big.NewInt(10000))
	part = min(part, o.Refundable().Amount)
	if part <= 0 {
		return true, nil
	}
	amount := money.Money{Amount: part, Currency: o.Total.Currency}
	_, err = s.Refund(ctx, o.ID, RefundRequest{Amount: &amount, Reason: "no-show: the store's policy refunds part", Key: "no-show"})
	if err != nil && !errors.Is(err, ErrRefundFailed) {
		return true, err
	}
	return true, nil
}
