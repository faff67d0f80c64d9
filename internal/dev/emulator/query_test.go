package emulator_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// The launcher answers a Query on the table's key from the partition
// alone: the same items in the same order as moto, forwards and
// backwards, with key conditions, filters, limits and pages; an absent
// partition is empty; index queries still find items across partitions.
func TestQueryReadsOnlyThePartition(t *testing.T) {
	ctx := context.Background()
	db := awstest.DynamoDB(t)
	env := awstest.Tables(t, resource.Catalog)
	table := env[resource.Catalog.EnvVar]
	var items []map[string]types.AttributeValue
	for p := range 20 {
		for i := range 15 {
			it := dynamo.Key(fmt.Sprintf("P#%02d", p), fmt.Sprintf("S#%02d", (i*7)%15)) // written out of order
			it["n"] = &types.AttributeValueMemberN{Value: fmt.Sprint(i)}
			if i%5 == 0 {
				it["gsi1pk"], it["gsi1sk"] = dynamo.S("EVERY5"), dynamo.S(fmt.Sprintf("%02d#%02d", p, i))
			}
			items = append(items, it)
		}
	}
	if err := dynamo.PutAll(ctx, db, table, items); err != nil {
		t.Fatal(err)
	}
	sks := func(in *dynamodb.QueryInput) []string {
		t.Helper()
		var out []string
		p := dynamodb.NewQueryPaginator(db, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				out = append(out, it["sk"].(*types.AttributeValueMemberS).Value)
			}
		}
		return out
	}
	all := func(from, to int) []string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, fmt.Sprintf("S#%02d", i))
		}
		return out
	}
	vals := func(kv ...string) map[string]types.AttributeValue {
		m := map[string]types.AttributeValue{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = dynamo.S(kv[i+1])
		}
		return m
	}
	reversed := all(0, 14)
	slices.Reverse(reversed)
	tests := []struct {
		name string
		in   dynamodb.QueryInput
		want []string
	}{
		{"whole partition", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "P#07")}, all(0, 14)},
		{"backwards", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "P#07"), ScanIndexForward: aws.Bool(false)}, reversed},
		{"between, in pages of 2", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk BETWEEN :a AND :b"),
			ExpressionAttributeValues: vals(":p", "P#19", ":a", "S#03", ":b", "S#09"), Limit: aws.Int32(2)}, all(3, 9)},
		{"begins_with and a filter", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND begins_with(sk, :s)"),
			FilterExpression: aws.String("n < :n"), ExpressionAttributeValues: map[string]types.AttributeValue{":p": dynamo.S("P#00"), ":s": dynamo.S("S#1"), ":n": &types.AttributeValueMemberN{Value: "3"}}},
			[]string{"S#14"}}, // n 2 is S#14 (2·7 mod 15); n 0 and 1 are S#00 and S#07
		{"absent partition", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: vals(":p", "P#99")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.TableName = aws.String(table)
			if got := sks(&in); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	ix := sks(&dynamodb.QueryInput{TableName: aws.String(table), IndexName: aws.String("gsi1"),
		KeyConditionExpression: aws.String("gsi1pk = :p"), ExpressionAttributeValues: vals(":p", "EVERY5")})
	if len(ix) != 20*3 {
		t.Errorf("index query: %d items, want 60 across the partitions", len(ix))
	}
}
