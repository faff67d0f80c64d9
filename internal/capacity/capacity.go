// Package capacity computes DynamoDB item sizes and the read and write
// request units they consume, by DynamoDB's published rules. The emulator
// returns no ConsumedCapacity for transactions, so cost tools compute it
// from the items instead. (Written by hand: no library implements these
// rules.)
package capacity

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ItemSize returns an item's size in bytes: for each attribute, the UTF-8
// length of its name plus the size of its value.
func ItemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return numberSize(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range v.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		// 3 bytes of overhead plus 1 byte per element.
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	}
	return 0
}

// numberSize is about one byte per two significant digits, plus one.
func numberSize(s string) int {
	s = strings.TrimLeft(strings.TrimPrefix(s, "-"), "0")
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		s = s[:i]
	}
	s = strings.Replace(s, ".", "", 1)
	s = strings.TrimRight(s, "0")
	d := len(s)
	if d == 0 {
		return 1
	}
	return (d+1)/2 + 1
}

// WriteUnits returns the write request units of writing an item of size
// bytes: one per started KB, twice that inside a transaction.
func WriteUnits(size int, transactional bool) int {
	u := max(1, (size+1023)/1024)
	if transactional {
		u *= 2
	}
	return u
}

// ReadUnits returns the read request units of reading an item of size
// bytes: one per started 4 KB for a strongly consistent read, half that
// for an eventually consistent one (in halves, so the result is ×2),
// twice that inside a transaction.
func ReadUnits(size int, consistent, transactional bool) float64 {
	u := float64(max(1, (size+4095)/4096))
	switch {
	case transactional:
		u *= 2
	case !consistent:
		u /= 2
	}
	return u
}
