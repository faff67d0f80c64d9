package emulator_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/emulator"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func TestStartFailsWithAReason(t *testing.T) {
	tests := []struct {
		name, python, want string
	}{
		{"no interpreter", "/nonexistent/python", "start /nonexistent/python"},
		{"interpreter without moto", "/bin/false", "make venv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := emulator.Start(context.Background(), emulator.Options{Python: tt.python})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

// The launcher serializes requests, so racing transactions behave as on
// DynamoDB: moto's stock threaded server oversells here (see DESIGN.md).
func TestRacingTransactionsNeverOversell(t *testing.T) {
	ctx := context.Background()
	env := awstest.Tables(t, resource.Catalog)
	table := env[resource.Catalog.EnvVar]
	db := awstest.DynamoDB(t)
	key := map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "SKU#race"}, "sk": &types.AttributeValueMemberS{Value: "SKU"},
	}
	item := map[string]types.AttributeValue{"available": &types.AttributeValueMemberN{Value: "50"}}
	for k, v := range key {
		item[k] = v
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: item}); err != nil {
		t.Fatal(err)
	}
	var sold, refused atomic.Int64
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Update: &types.Update{
					TableName: &table, Key: key,
					UpdateExpression:          aws.String("SET available = available - :one"),
					ConditionExpression:       aws.String("available >= :one"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
				}},
				{Put: &types.Put{TableName: &table, Item: map[string]types.AttributeValue{
					"pk": &types.AttributeValueMemberS{Value: "ORDER#" + strconv.Itoa(i)}, "sk": &types.AttributeValueMemberS{Value: "ORDER"},
				}}},
			}})
			var tce *types.TransactionCanceledException
			switch {
			case err == nil:
				sold.Add(1)
			case errors.As(err, &tce):
				refused.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	left := out.Item["available"].(*types.AttributeValueMemberN).Value
	if sold.Load() != 50 || refused.Load() != 150 || left != "0" {
		t.Errorf("sold %d, refused %d, left %s; want 50, 150, 0", sold.Load(), refused.Load(), left)
	}
}
