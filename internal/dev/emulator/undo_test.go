package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// render shows an item's attribute values, not their pointers.
func render(t *testing.T, item map[string]types.AttributeValue) string {
	t.Helper()
	var m map[string]any
	if err := attributevalue.UnmarshalMap(item, &m); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int) types.AttributeValue    { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }

// snapshot is every item of the tables and every partition of their
// gsi2 index, as the API shows them.
func snapshot(t *testing.T, db *dynamodb.Client, tables ...string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range tables {
		scan, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: &table, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range scan.Items {
			out[table] = append(out[table], render(t, it))
		}
		for _, part := range []string{"DUE#1", "DUE#2"} {
			q, err := db.Query(context.Background(), &dynamodb.QueryInput{
				TableName: &table, IndexName: aws.String("gsi2"), KeyConditionExpression: aws.String("gsi2pk = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(part)},
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range q.Items {
				out[table+"/"+part] = append(out[table+"/"+part], render(t, it))
			}
		}
		sort.Strings(out[table])
	}
	return out
}

// A cancelled transaction leaves every item, and every index query,
// exactly as before, including items it would have created, wherever its
// failing item stands and across tables.
func TestCancelledTransactionsLeaveNoTrace(t *testing.T) {
	ctx := context.Background()
	db := awstest.DynamoDB(t)
	env := awstest.Tables(t, resource.Orders, resource.Catalog)
	orders, catalog := env[resource.Orders.EnvVar], env[resource.Catalog.EnvVar]
	seed := []struct {
		table string
		item  map[string]types.AttributeValue
	}{
		{orders, map[string]types.AttributeValue{"pk": s("A"), "sk": s("X"), "stock": n(5), "gsi2pk": s("DUE#1"), "gsi2sk": s("a")}},
		{orders, map[string]types.AttributeValue{"pk": s("B"), "sk": s("X"), "stock": n(1)}},
		{catalog, map[string]types.AttributeValue{"pk": s("C"), "sk": s("X"), "stock": n(0), "gsi2pk": s("DUE#2"), "gsi2sk": s("c")}},
	}
	for _, it := range seed {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &it.table, Item: it.item}); err != nil {
			t.Fatal(err)
		}
	}
	take := func(table, pk string, qty int) types.TransactWriteItem {
		return types.TransactWriteItem{Update: &types.Update{
			TableName: aws.String(table), Key: map[string]types.AttributeValue{"pk": s(pk), "sk": s("X")},
			UpdateExpression:                    aws.String("SET stock = stock - :q REMOVE gsi2pk, gsi2sk"),
			ConditionExpression:                 aws.String("stock >= :q"),
			ExpressionAttributeValues:           map[string]types.AttributeValue{":q": n(qty)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}}
	}
	create := func(table, pk string) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table),
			Item:                map[string]types.AttributeValue{"pk": s(pk), "sk": s("X"), "gsi2pk": s("DUE#1"), "gsi2sk": s(pk)},
			ConditionExpression: aws.String("attribute_not_exists(pk)")}}
	}
	remove := func(table, pk string) types.TransactWriteItem {
		return types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(table), Key: map[string]types.AttributeValue{"pk": s(pk), "sk": s("X")}}}
	}
	tests := []struct {
		name   string
		items  []types.TransactWriteItem
		failed []int
	}{
		{"first fails", []types.TransactWriteItem{take(catalog, "C", 1), take(orders, "A", 1), create(orders, "N1"), remove(orders, "B")}, []int{0}},
		{"middle fails", []types.TransactWriteItem{take(orders, "A", 2), create(orders, "N2"), take(orders, "B", 2), remove(catalog, "C"), create(catalog, "N3")}, []int{2}},
		{"last fails", []types.TransactWriteItem{create(catalog, "N4"), take(orders, "A", 5), remove(orders, "B"), take(catalog, "C", 1)}, []int{3}},
		{"a create of an existing item fails", []types.TransactWriteItem{take(orders, "A", 1), create(orders, "B")}, []int{1}},
		// Items after a failure still have their conditions checked, each
		// failure reported in its place.
		{"first and last fail", []types.TransactWriteItem{take(catalog, "C", 1), create(orders, "N6"), take(orders, "A", 1), take(orders, "B", 2)}, []int{0, 3}},
	}
	before := snapshot(t, db, orders, catalog)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tt.items})
			var tce *types.TransactionCanceledException
			if !errors.As(err, &tce) {
				t.Fatalf("err = %v, want cancelled", err)
			}
			for i, r := range tce.CancellationReasons {
				code := aws.ToString(r.Code)
				if want := map[bool]string{true: "ConditionalCheckFailed", false: "None"}[slices.Contains(tt.failed, i)]; code != want && !(want == "None" && code == "") {
					t.Errorf("reason %d = %q, want %q", i, code, want)
				}
			}
			if got := snapshot(t, db, orders, catalog); !reflect.DeepEqual(got, before) {
				t.Errorf("tables changed:\n got %v\nwant %v", got, before)
			}
		})
	}
	// The failed take reports the item as it is (ALL_OLD).
	_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{take(orders, "A", 9)}})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || render(t, map[string]types.AttributeValue{"stock": tce.CancellationReasons[0].Item["stock"]}) != `{"stock":5}` {
		t.Errorf("ALL_OLD: %v", err)
	}
	// And a transaction that succeeds applies every item.
	ok := []types.TransactWriteItem{take(orders, "A", 1), create(orders, "N5"), remove(catalog, "C")}
	if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: ok}); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, db, orders, catalog)
	if len(after[catalog]) != 0 || len(after[orders]) != 3 || len(after[orders+"/DUE#1"]) != 1 {
		t.Errorf("after success: %v", after)
	}
}
