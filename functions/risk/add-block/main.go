// Command add-block is the Lambda behind POST /ops/risk/blocks: an operator adds a block list entry.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/riskapi"
)

func main() { lambdafn.HTTP("risk/add-block", riskapi.NewAddBlock) }
