package emulator_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// The launcher remembers which update expressions passed the checks that
// depend only on their text, names and table; the same text with other
// names, or on another table, is checked again, and an expression
// refused once is refused every time.
func TestUpdateValidationIsNotRememberedAcrossNames(t *testing.T) {
	ctx := context.Background()
	db := awstest.DynamoDB(t)
	env := awstest.Tables(t, resource.Orders)
	table := env[resource.Orders.EnvVar]
	key := map[string]types.AttributeValue{"pk": s("V"), "sk": s("X")}
	update := func(expr string, names map[string]string) error {
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key,
			UpdateExpression: aws.String(expr), ExpressionAttributeNames: names,
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": n(1)}})
		return err
	}
	tests := []struct {
		name    string
		expr    string
		names   map[string]string
		refused string // a word of the refusal, "" for success
	}{
		{"distinct paths", "SET #a = :v, #b = :v", map[string]string{"#a": "x", "#b": "y"}, ""},
		{"same text, overlapping paths", "SET #a = :v, #b = :v", map[string]string{"#a": "x", "#b": "x"}, "Two document paths"},
		{"the distinct ones again", "SET #a = :v, #b = :v", map[string]string{"#a": "x", "#b": "y"}, ""},
		{"a plain attribute", "SET #a = :v", map[string]string{"#a": "z"}, ""},
		{"same text, the key", "SET #a = :v", map[string]string{"#a": "pk"}, "key"},
		{"the key again", "SET #a = :v", map[string]string{"#a": "pk"}, "key"},
		{"two SET clauses", "SET #a = :v SET #b = :v", map[string]string{"#a": "x", "#b": "y"}, "SET"},
		{"two SET clauses again", "SET #a = :v SET #b = :v", map[string]string{"#a": "x", "#b": "y"}, "SET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := update(tt.expr, tt.names)
			switch {
			case tt.refused == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.refused != "" && (err == nil || !strings.Contains(err.Error(), tt.refused)):
				t.Errorf("err = %v, want a refusal naming %q", err, tt.refused)
			}
		})
	}
}
