// Command adjust-stock is the Lambda behind POST /merchant/stock/adjustments:
// a merchant's receipts, count corrections and damage, per location.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/catalogapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("catalog/adjust-stock", catalogapi.NewAdjustStock) }
