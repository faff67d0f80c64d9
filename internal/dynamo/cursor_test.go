package dynamo_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
)

func TestCursorRoundTripAndRefusals(t *testing.T) {
	key := map[string]types.AttributeValue{"pk": dynamo.S("ORDER#o1"), "sk": dynamo.S("ORDER"),
		"gsi1pk": dynamo.S("CUSTOMER#c1"), "gsi1sk": dynamo.S("2026-11-25#o1")}
	names := []string{"pk", "sk", "gsi1pk", "gsi1sk"}
	mine := dynamo.EncodeCursor(key)
	if dynamo.EncodeCursor(nil) != "" {
		t.Error("the last page has a cursor")
	}
	got, ok := dynamo.DecodeCursor(mine, "gsi1pk", "CUSTOMER#c1", names...)
	if !ok {
		t.Fatal("refused its own cursor")
	}
	for _, n := range names {
		if got[n].(*types.AttributeValueMemberS).Value != key[n].(*types.AttributeValueMemberS).Value {
			t.Errorf("%s = %v, want %v", n, got[n], key[n])
		}
	}
	product := dynamo.EncodeCursor(map[string]types.AttributeValue{"pk": dynamo.S("P"), "sk": dynamo.S("S"), "gsi2pk": dynamo.S("CUSTOMER#c1"), "gsi2sk": dynamo.S("x")})
	tests := []struct {
		name, cursor, value string
	}{
		{"another customer's", mine, "CUSTOMER#c2"},
		{"another list's", product, "CUSTOMER#c1"},
		{"a missing attribute", dynamo.EncodeCursor(map[string]types.AttributeValue{"pk": dynamo.S("P"), "gsi1pk": dynamo.S("CUSTOMER#c1")}), "CUSTOMER#c1"},
		{"not base64", "%%%", "CUSTOMER#c1"},
		{"not JSON", "bm90IGpzb24", "CUSTOMER#c1"},
		{"empty", "", "CUSTOMER#c1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if k, ok := dynamo.DecodeCursor(tt.cursor, "gsi1pk", tt.value, names...); ok {
				t.Errorf("accepted, as %v", k)
			}
		})
	}
}
