package capacity

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestItemSize(t *testing.T) {
	tests := []struct {
		name string
		item map[string]types.AttributeValue
		want int
	}{
		{"string", map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ORDER#1"}}, 2 + 7},
		{"utf-8 string", map[string]types.AttributeValue{"n": &types.AttributeValueMemberS{Value: "茶"}}, 1 + 3},
		{"number", map[string]types.AttributeValue{"q": &types.AttributeValueMemberN{Value: "1234"}}, 1 + 3},
		{"small number", map[string]types.AttributeValue{"q": &types.AttributeValueMemberN{Value: "7"}}, 1 + 2},
		{"bool", map[string]types.AttributeValue{"ok": &types.AttributeValueMemberBOOL{Value: true}}, 2 + 1},
		{"map", map[string]types.AttributeValue{"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"zh": &types.AttributeValueMemberS{Value: "a"}}}}, 1 + 3 + 1 + 2 + 1},
		{"list", map[string]types.AttributeValue{"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberS{Value: "ab"}, &types.AttributeValueMemberS{Value: "c"}}}}, 1 + 3 + (1 + 2) + (1 + 1)},
	}
	for _, tt := range tests {
		if got := ItemSize(tt.item); got != tt.want {
			t.Errorf("%s: ItemSize = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestUnits(t *testing.T) {
	tests := []struct {
		size          int
		transactional bool
		want          int
	}{
		{1, false, 1}, {1024, false, 1}, {1025, false, 2}, {1025, true, 4}, {0, true, 2},
	}
	for _, tt := range tests {
		if got := WriteUnits(tt.size, tt.transactional); got != tt.want {
			t.Errorf("WriteUnits(%d, %v) = %d, want %d", tt.size, tt.transactional, got, tt.want)
		}
	}
	if got := ReadUnits(4097, true, false); got != 2 {
		t.Errorf("ReadUnits(4097, consistent) = %v, want 2", got)
	}
	if got := ReadUnits(100, false, false); got != 0.5 {
		t.Errorf("ReadUnits(100, eventual) = %v, want 0.5", got)
	}
	big := map[string]types.AttributeValue{"b": &types.AttributeValueMemberS{Value: strings.Repeat("x", 3000)}}
	if got := WriteUnits(ItemSize(big), true); got != 6 {
		t.Errorf("3 KB transactional write = %d units, want 6", got)
	}
}
