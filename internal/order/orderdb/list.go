package orderdb

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// MaxPage bounds one page of a customer's orders.
const MaxPage = 50

// ErrBadCursor is a cursor that this customer was not given.
var ErrBadCursor = problem.Field("cursor", "cursor is not one this API returned for you")

// OrderSummary is an order in a list.
type OrderSummary struct {
	ID        string       `json:"id" dynamodbav:"id"`
	Status    order.Status `json:"status" dynamodbav:"status"`
	Total     money.Money  `json:"total" dynamodbav:"total"`
	Lines     int          `json:"lines"`
	CreatedAt string       `json:"createdAt"`
}

// OrderPage is one page of a customer's orders, newest first.
type OrderPage struct {
	Orders []OrderSummary `json:"orders"`
	// Next is the cursor of the next page; empty on the last.
	Next string `json:"next,omitempty"`
}

// Orders returns a page of customerID's orders, newest first, from the
// customer index. The cursor is opaque to clients and bound to the
// customer: another customer's cursor is refused, not followed.
func (s *Store) List(ctx context.Context, customerID, after string, limit int) (OrderPage, error) {
	if limit < 1 || limit > MaxPage {
		return OrderPage{}, problem.Field("limit", fmt.Sprintf("limit must be from 1 to %d", MaxPage))
	}
	in := &dynamodb.QueryInput{
		TableName: &s.table, IndexName: aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": dynamo.S("CUSTOMER#" + customerID)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
	}
	if after != "" {
		start, ok := dynamo.DecodeCursor(after, "gsi1pk", "CUSTOMER#"+customerID, "pk", "sk", "gsi1pk", "gsi1sk")
		if !ok {
			return OrderPage{}, ErrBadCursor
		}
		in.ExclusiveStartKey = start
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return OrderPage{}, fmt.Errorf("list orders: %w", err)
	}
	page := OrderPage{Orders: []OrderSummary{}}
	for _, it := range out.Items {
		var oi orderItem
		if err := attributevalue.UnmarshalMap(it, &oi); err != nil {
			return OrderPage{}, fmt.Errorf("decode order: %w", err)
		}
		page.Orders = append(page.Orders, OrderSummary{ID: oi.ID, Status: oi.Status, Total: oi.Total, Lines: len(oi.Lines), CreatedAt: oi.CreatedAt.Format("2006-01-02T15:04:05.000Z07:00")})
	}
	page.Next = dynamo.EncodeCursor(out.LastEvaluatedKey)
	return page, nil
}
