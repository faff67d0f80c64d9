package checkout

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// due reads up to limit items of one gsi2 partition whose sort key is
// below before ("" for all), oldest first. gsi2 indexes what background
// jobs must still do: held reservations by expiry (the sweep), pending
// outbox events (the relay), unanswered refunds (the refund retry); each
// item leaves the index when done.
func (s *Service) due(ctx context.Context, partition, before string, limit int) ([]map[string]types.AttributeValue, error) {
	cond := "gsi2pk = :p"
	values := map[string]types.AttributeValue{":p": str(partition)}
	if before != "" {
		cond += " AND gsi2sk < :b"
		values[":b"] = str(before)
	}
	var items []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName: &s.ordersTable, IndexName: aws.String("gsi2"),
		KeyConditionExpression: aws.String(cond), ExpressionAttributeValues: values,
		Limit: aws.Int32(int32(min(limit, 100))),
	})
	for p.HasMorePages() && len(items) < limit {
		page, err := p.NextPage(ctx)
		if err != nil {
			return items, fmt.Errorf("query %s: %w", partition, err)
		}
		items = append(items, page.Items...)
	}
	return items[:min(len(items), limit)], nil
}
