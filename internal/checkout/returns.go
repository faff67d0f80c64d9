package checkout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/id"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/order/orderdb"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// DefaultReturnWindow is how long after delivery or pickup a shopper may
// ask to return goods (七天无理由退货).
const DefaultReturnWindow = 7 * 24 * time.Hour

// ReturnRequest is a shopper's return: lines and a reason.
type ReturnRequest struct {
	Lines []struct {
		SKUID    string `json:"skuId"`
		Quantity int64  `json:"quantity"`
	} `json:"lines"`
	Reason string `json:"reason"`
	// Key is the request's Idempotency-Key; the return id derives from it.
	Key string `json:"-"`
}

// Validate checks the request's shape.
func (r ReturnRequest) Validate() error {
	if len(r.Lines) == 0 || len(r.Lines) > 50 {
		return problem.Field("lines", "a return names 1 to 50 lines")
	}
	for i, l := range r.Lines {
		if !id.Valid("sku", l.SKUID) {
			return problem.Field(fmt.Sprintf("lines[%d].skuId", i), "skuId must be a SKU id")
		}
		if l.Quantity < 1 || l.Quantity > 10000 {
			return problem.Field(fmt.Sprintf("lines[%d].quantity", i), "quantity must be from 1 to 10000")
		}
	}
	if strings.TrimSpace(r.Reason) == "" || len(r.Reason) > 500 || strings.ContainsRune(r.Reason, 0) {
		return problem.Field("reason", "a reason of 1 to 500 characters is required")
	}
	return nil
}

// returnKey is the pointer item from a return's id to its order.
func returnKey(returnID string) map[string]types.AttributeValue {
	return dynamo.Key("RETURN#"+returnID, "RETURN")
}

// RequestReturn records a shopper's return of units of its delivered or
// picked-up order, within the return window. The same Idempotency-Key
// returns the same return. Racing requests never return more units than
// were bought: each commits under the order's version.
func (s *Service) RequestReturn(ctx context.Context, customerID, orderID string, req ReturnRequest) (order.Return, error) {
	if err := req.Validate(); err != nil {
		return order.Return{}, err
	}
	if _, err := s.Order(ctx, customerID, orderID); err != nil {
		return order.Return{}, err
	}
	returnID := id.New("ret")
	if req.Key != "" {
		returnID = id.Derive("ret", orderID+"/"+req.Key)
	}
	window := s.returnWindow()
	lines := make([]order.ReturnLine, len(req.Lines))
	for i, l := range req.Lines {
		lines[i] = order.ReturnLine{SKUID: l.SKUID, Quantity: l.Quantity}
	}
	var out order.Return
	_, err := s.orders.Update(ctx, orderID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		if r, ok := o.ReturnByID(returnID); ok {
			out = *r
			return nil, orderdb.ErrUnchanged
		}
		r, err := o.RequestReturn(returnID, lines, strings.TrimSpace(req.Reason), s.Now().UTC(), window)
		if err != nil {
			return nil, err
		}
		out = r
		ptr := returnKey(returnID)
		ptr["orderId"] = dynamo.S(o.ID)
		return []types.TransactWriteItem{dynamo.PutNew(s.orders.Table(), ptr)}, nil
	})
	return out, err
}

// ReturnOrder finds the order of a return that sells lines of merchant
// (an operator passes ""). Another merchant's return is ErrReturnNotFound.
func (s *Service) ReturnOrder(ctx context.Context, returnID, merchant string) (order.Order, error) {
	if !id.Valid("ret", returnID) {
		return order.Order{}, order.ErrReturnNotFound
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.orders.Table()), Key: returnKey(returnID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return order.Order{}, fmt.Errorf("read return %s: %w", returnID, err)
	}
	orderID, ok := out.Item["orderId"].(*types.AttributeValueMemberS)
	if !ok {
		return order.Order{}, order.ErrReturnNotFound
	}
	o, err := s.Lookup(ctx, orderID.Value)
	if err != nil {
		return order.Order{}, err
	}
	if merchant != "" && !ownsReturn(o, returnID, merchant) {
		return order.Order{}, order.ErrReturnNotFound
	}
	return o, nil
}

// ownsReturn reports whether every line of the return is merchant's.
func ownsReturn(o order.Order, returnID, merchant string) bool {
	r, ok := o.ReturnByID(returnID)
	if !ok {
		return false
	}
	for _, rl := range r.Lines {
		for _, l := range o.Lines {
			if l.SKUID == rl.SKUID && l.MerchantID != merchant {
				return false
			}
		}
	}
	return true
}

// DecideReturn approves or rejects a requested return for merchant (""
// for an operator). Approval refunds the return's value through the
// order's refunds, exactly once: the refund's id derives from the return's,
// so a repeated or resumed approval finds the same refund.
func (s *Service) DecideReturn(ctx context.Context, returnID, merchant string, approve bool, note string) (order.Return, error) {
	o, err := s.ReturnOrder(ctx, returnID, merchant)
	if err != nil {
		return order.Return{}, err
	}
	key := "return:" + returnID
	refundID := id.Derive("rfd", o.ID+"/"+key)
	var out order.Return
	_, err = s.orders.Update(ctx, o.ID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		r, changed, err := o.DecideReturn(returnID, approve, refundID, note, s.Now().UTC())
		out = r
		if err == nil && !changed {
			return nil, orderdb.ErrUnchanged
		}
		return nil, err
	})
	if err != nil {
		return order.Return{}, err
	}
	if approve && out.Amount.Amount > 0 {
		amount := out.Amount
		_, err := s.Refund(ctx, o.ID, RefundRequest{Amount: &amount, Reason: "return " + returnID, Key: key})
		if err != nil && !errors.Is(err, ErrRefundFailed) {
			return out, fmt.Errorf("refund return %s: %w", returnID, err)
		}
	}
	return out, nil
}

// ReceiveReturn records an approved return's goods arriving back; if
// resellable, their units go back to stock where they came from, in the
// same transaction, once.
func (s *Service) ReceiveReturn(ctx context.Context, returnID, merchant string, resellable bool) (order.Return, error) {
	o, err := s.ReturnOrder(ctx, returnID, merchant)
	if err != nil {
		return order.Return{}, err
	}
	var out order.Return
	_, err = s.orders.Update(ctx, o.ID, func(o *order.Order) ([]types.TransactWriteItem, error) {
		r, changed, err := o.ReceiveReturn(returnID, resellable, s.Now().UTC())
		out = r
		if err != nil {
			return nil, err
		}
		if !changed {
			return nil, orderdb.ErrUnchanged
		}
		if !resellable {
			return nil, nil
		}
		var items []types.TransactWriteItem
		for _, rl := range r.Lines {
			it, err := takeStock(s.catalogTable, rl.SKUID, rl.Quantity, restockSources(*o, rl), +1)
			if err != nil {
				return nil, err
			}
			items = append(items, it)
		}
		return items, nil
	})
	return out, err
}

// restockSources says where returned units go: the location the line's
// first source was (its store for a pickup order), or the SKU's total only.
func restockSources(o order.Order, rl order.ReturnLine) []order.Source {
	for _, l := range o.Lines {
		if l.SKUID != rl.SKUID {
			continue
		}
		if len(l.Sources) > 0 {
			return []order.Source{{LocationID: l.Sources[0].LocationID, Quantity: rl.Quantity}}
		}
	}
	if o.Fulfilment.Type == order.Pickup && o.Fulfilment.StoreID != "" {
		return []order.Source{{LocationID: o.Fulfilment.StoreID, Quantity: rl.Quantity}}
	}
	return nil
}
