package dynamo

import (
	"encoding/base64"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// EncodeCursor makes the opaque cursor of the page after a query's last
// evaluated key (its string attributes, which is every key jiaoyi uses);
// "" when key is nil (the last page).
func EncodeCursor(key map[string]types.AttributeValue) string {
	if key == nil {
		return ""
	}
	c := make(map[string]string, len(key))
	for name, v := range key {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			c[name] = s.Value
		}
	}
	raw, _ := json.Marshal(c) // strings only: cannot fail
	return base64.RawURLEncoding.EncodeToString(raw)
}

// DecodeCursor returns the ExclusiveStartKey of a cursor EncodeCursor made
// for a query of the partition partition=value (the customer's, the
// merchant's, the queue's): it must hold exactly the attributes names
// (partition among them) and that partition. It reports false for anything
// else (garbled, another customer's, another list's), which callers refuse
// with a 400 naming the cursor rather than follow.
func DecodeCursor(s, partition, value string, names ...string) (map[string]types.AttributeValue, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	var c map[string]string
	if err != nil || json.Unmarshal(raw, &c) != nil || len(c) != len(names) || c[partition] != value {
		return nil, false
	}
	key := make(map[string]types.AttributeValue, len(names))
	for _, n := range names {
		v, ok := c[n]
		if !ok {
			return nil, false
		}
		key[n] = S(v)
	}
	return key, true
}
