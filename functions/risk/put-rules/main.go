// Command put-rules is the Lambda behind PUT /ops/risk/rules/{scope}: an operator sets risk rules for all merchants or one.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/riskapi"
)

func main() { lambdafn.HTTP("risk/put-rules", riskapi.NewPutRules) }
