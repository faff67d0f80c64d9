package sandbox

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// FailRefund makes one of an intent's refunds fail, as a bank can after
// accepting it: its amount is no longer refunded. The sandbox's webhook
// (refund.failed) is sent by the caller. Failing a failed refund changes
// nothing.
func (p *Provider) FailRefund(ctx context.Context, intentID, refundID string, amount int64) error {
	_, err := p.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{
			TableName: &p.table, Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "SANDBOX#" + intentID}, "sk": &types.AttributeValueMemberS{Value: "REFUND#" + refundID}},
			UpdateExpression:          aws.String("SET #status = :failed"),
			ConditionExpression:       aws.String("#status <> :failed"),
			ExpressionAttributeNames:  map[string]string{"#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":failed": &types.AttributeValueMemberS{Value: "failed"}},
		}},
		{Update: &types.Update{
			TableName: &p.table, Key: key(intentID),
			UpdateExpression:          aws.String("SET refunded = refunded - :a"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":a": &types.AttributeValueMemberN{Value: fmt.Sprint(amount)}},
		}},
	}})
	if _, ok := err.(*types.TransactionCanceledException); ok {
		return nil // failed already
	}
	return err
}
