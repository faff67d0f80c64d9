package orderdb

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
)

// Holds caps what one shopper may hold unpaid at once, so one account
// cannot lock a SKU's stock away from everyone else hold after hold.
type Holds struct {
	// Orders is the most unpaid orders a shopper may have.
	Orders int64
	// Units is the most units a shopper's unpaid orders may hold together.
	Units int64
}

func holdsKey(customerID string) map[string]types.AttributeValue {
	return dynamo.Key("SHOPPER#"+customerID, "HOLDS")
}

// HoldItem is the placement's write that counts a new unpaid order of
// units for customerID, under the condition that the shopper stays within
// limits. Its current item comes back when it fails, to say why.
func (s *Store) HoldItem(customerID string, units int64, limits Holds) (types.TransactWriteItem, error) {
	orders, held := expression.Name("unpaidOrders"), expression.Name("heldUnits")
	cond := expression.AttributeNotExists(expression.Name("pk")).Or(
		orders.LessThan(expression.Value(limits.Orders)).And(held.LessThanEqual(expression.Value(limits.Units - units))))
	return dynamo.Update(s.table, holdsKey(customerID),
		expression.Add(orders, expression.Value(1)).Add(held, expression.Value(units)), cond, true)
}

// UnholdItem is the write that stops counting an order of units once it is
// paid or released.
func (s *Store) UnholdItem(customerID string, units int64) (types.TransactWriteItem, error) {
	return dynamo.Update(s.table, holdsKey(customerID),
		expression.Add(expression.Name("unpaidOrders"), expression.Value(-1)).Add(expression.Name("heldUnits"), expression.Value(-units)),
		expression.AttributeExists(expression.Name("pk")), false)
}

// HeldBy reads a failed hold's current counts.
func HeldBy(item map[string]types.AttributeValue) (orders, units int64) {
	return dynamo.Num(item, "unpaidOrders"), dynamo.Num(item, "heldUnits")
}
