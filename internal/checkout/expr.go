package checkout

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// update builds a transactional conditional update with the expression
// builder, which also aliases reserved words (capacity, status, …).
func update(table string, key map[string]types.AttributeValue, upd expression.UpdateBuilder, cond expression.ConditionBuilder, returnOld bool) (types.TransactWriteItem, error) {
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("build expression: %w", err)
	}
	u := &types.Update{
		TableName:                 &table,
		Key:                       key,
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}
	if returnOld {
		u.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	return types.TransactWriteItem{Update: u}, nil
}

// Names used in expressions.
var (
	namePK        = expression.Name("pk")
	nameAvailable = expression.Name("available")
	nameBooked    = expression.Name("booked")
	nameCapacity  = expression.Name("capacity")
	nameStatus    = expression.Name("status")
	nameVersion   = expression.Name("version")
)
