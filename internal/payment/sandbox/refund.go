package sandbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/payment"
)

// ErrOverRefund means the refunds would exceed what was captured.
var ErrOverRefund = errors.New("sandbox: refunds would exceed the captured amount")

type refundItem struct {
	PK       string `dynamodbav:"pk"`
	SK       string `dynamodbav:"sk"`
	RefundID string `dynamodbav:"refundId"`
	Amount   int64  `dynamodbav:"amount"`
	Status   string `dynamodbav:"status"`
}

// Refund implements payment.Provider: like a real PSP it refuses refunds of
// an intent that did not succeed or beyond what it captured, and a repeated
// RefundID returns the first refund.
func (p *Provider) Refund(ctx context.Context, req payment.RefundRequest) (payment.Refund, error) {
	if req.RefundID == "" || req.Amount.Amount <= 0 {
		return payment.Refund{}, errors.New("sandbox: refund needs an id and a positive amount")
	}
	in, err := p.GetIntent(ctx, req.IntentID)
	if err != nil {
		return payment.Refund{}, err
	}
	if in.Status != payment.Succeeded {
		return payment.Refund{}, fmt.Errorf("sandbox: intent %s is %s, not succeeded", in.ID, in.Status)
	}
	if req.Amount.Currency != in.Amount.Currency {
		return payment.Refund{}, fmt.Errorf("sandbox: refund in %s of an intent in %s", req.Amount.Currency, in.Amount.Currency)
	}
	item, err := attributevalue.MarshalMap(refundItem{
		PK: "SANDBOX#" + in.ID, SK: "REFUND#" + req.RefundID, RefundID: req.RefundID, Amount: req.Amount.Amount, Status: "succeeded",
	})
	if err != nil {
		return payment.Refund{}, err
	}
	line, err := p.reportPut(ReportLine{Type: "refund", ProviderRef: "re_sbx_" + req.RefundID, OurRef: req.RefundID, Amount: req.Amount, At: p.now()})
	if err != nil {
		return payment.Refund{}, err
	}
	limit := in.Amount.Amount - req.Amount.Amount
	_, err = p.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: &p.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Update: &types.Update{
			TableName: &p.table, Key: key(in.ID),
			UpdateExpression:    aws.String("SET refunded = if_not_exists(refunded, :zero) + :a"),
			ConditionExpression: aws.String("attribute_not_exists(refunded) OR refunded <= :limit"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":zero": &types.AttributeValueMemberN{Value: "0"}, ":a": &types.AttributeValueMemberN{Value: fmt.Sprint(req.Amount.Amount)},
				":limit": &types.AttributeValueMemberN{Value: fmt.Sprint(limit)},
			},
		}},
		line,
	}})
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) && len(tce.CancellationReasons) == 3 {
		if aws.ToString(tce.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
			return payment.Refund{ProviderRefundID: "re_sbx_" + req.RefundID, Status: "succeeded"}, nil // repeated id
		}
		return payment.Refund{}, ErrOverRefund
	}
	if err != nil {
		return payment.Refund{}, fmt.Errorf("sandbox: refund: %w: %w", payment.ErrUnavailable, err)
	}
	return payment.Refund{ProviderRefundID: "re_sbx_" + req.RefundID, Status: "succeeded"}, nil
}
