package emulator_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// TransactWriteItems honours ClientRequestToken as DynamoDB does: a
// transaction sent again with the token of one that succeeded is answered
// and not applied again, the token with other parameters is refused with
// IdempotentParameterMismatchException, and a transaction that failed is
// not remembered, so its retry runs anew.
func TestTransactionTokensMakeRetriesHarmless(t *testing.T) {
	ctx := context.Background()
	db := awstest.DynamoDB(t)
	env := awstest.Tables(t, resource.Orders)
	table := env[resource.Orders.EnvVar]
	key := map[string]types.AttributeValue{"pk": s("TOKEN"), "sk": s("COUNT")}
	add := func(token string, by, atMost int) error {
		_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
			ClientRequestToken: aws.String(token),
			TransactItems: []types.TransactWriteItem{{Update: &types.Update{
				TableName: aws.String(table), Key: key,
				UpdateExpression:          aws.String("ADD n :by"),
				ConditionExpression:       aws.String("attribute_not_exists(n) OR n < :max"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":by": n(by), ":max": n(atMost)},
			}}},
		})
		return err
	}
	count := func() string {
		t.Helper()
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Item == nil {
			return "none"
		}
		return out.Item["n"].(*types.AttributeValueMemberN).Value
	}
	var cancelled *types.TransactionCanceledException
	var mismatch *types.IdempotentParameterMismatchException
	steps := []struct {
		name  string
		err   func(error) bool
		count string
	}{
		{"first", func(err error) bool { return err == nil }, "1"},
		{"the same again", func(err error) bool { return err == nil }, "1"},
		{"its token with other parameters", func(err error) bool { return errors.As(err, &mismatch) }, "1"},
		{"another token", func(err error) bool { return err == nil }, "2"},
		{"a token whose transaction fails", func(err error) bool { return errors.As(err, &cancelled) }, "2"},
		{"that token once the condition holds", func(err error) bool { return err == nil }, "3"},
	}
	calls := []func() error{
		func() error { return add("tok-a", 1, 10) },
		func() error { return add("tok-a", 1, 10) },
		func() error { return add("tok-a", 5, 10) },
		func() error { return add("tok-b", 1, 10) },
		func() error { return add("tok-c", 1, 2) },
		func() error { return add("tok-c", 1, 10) },
	}
	for i, st := range steps {
		err := calls[i]()
		if !st.err(err) {
			t.Fatalf("%s: err = %v", st.name, err)
		}
		if got := count(); got != st.count {
			t.Fatalf("%s: n = %s, want %s", st.name, got, st.count)
		}
	}
}
