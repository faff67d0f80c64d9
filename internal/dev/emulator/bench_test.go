package emulator_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/emulator"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
)

// BenchmarkPlacementTransaction times a placement-shaped transaction (four
// conditional stock updates and two puts) against a catalog of 2,000 and
// 20,000 items, with the launcher's undo log and with moto's own
// whole-table copies:
//
//	go run ./cmd/emulator -- go test -run - -bench PlacementTransaction -benchtime 20x ./internal/dev/emulator/
func BenchmarkPlacementTransaction(b *testing.B) {
	var orders atomic.Int64
	for _, whole := range []bool{false, true} {
		ctx := context.Background()
		em, err := emulator.Start(ctx, emulator.Options{WholeTableRollback: whole})
		if err != nil {
			b.Fatal(err)
		}
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(emulator.Region), awsconfig.WithBaseEndpoint(em.Endpoint),
			awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(emulator.AccessKeyID, emulator.SecretAccessKey, "")))
		if err != nil {
			b.Fatal(err)
		}
		cfg.HTTPClient = config.DetachBodies(cfg.HTTPClient)
		db := dynamodb.NewFromConfig(cfg)
		for _, size := range []int{2000, 20000} {
			env, err := provision.Tables(ctx, db, fmt.Sprintf("bench-%v-%d-", whole, size), resource.Catalog)
			if err != nil {
				b.Fatal(err)
			}
			table := env[resource.Catalog.EnvVar]
			var items []map[string]types.AttributeValue
			for i := range size {
				items = append(items, map[string]types.AttributeValue{"pk": s(fmt.Sprintf("SKU#%06d", i)), "sk": s("SKU"), "available": n(1_000_000),
					"attributes": s("a SKU's attributes, names and prices, about as large as the demo's")})
			}
			if err := dynamo.PutAll(ctx, db, table, items); err != nil {
				b.Fatal(err)
			}
			name := map[bool]string{false: "undo-log", true: "whole-table-copy"}[whole]
			b.Run(fmt.Sprintf("%s/%d-items", name, size), func(b *testing.B) {
				for i := range b.N {
					var tx []types.TransactWriteItem
					for l := range 4 {
						tx = append(tx, types.TransactWriteItem{Update: &types.Update{
							TableName: &table, Key: dynamo.Key(fmt.Sprintf("SKU#%06d", (i*4+l)%size), "SKU"),
							UpdateExpression: aws.String("SET available = available - :q"), ConditionExpression: aws.String("available >= :q"),
							ExpressionAttributeValues: map[string]types.AttributeValue{":q": n(1)},
						}})
					}
					for p := range 2 {
						tx = append(tx, dynamo.PutNew(table, map[string]types.AttributeValue{"pk": s(fmt.Sprintf("ORDER#%d-%d", orders.Add(1), p)), "sk": s("ORDER")}))
					}
					if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/txn")
			})
		}
		em.Stop()
	}
}
