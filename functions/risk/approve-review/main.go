// Command approve-review is the Lambda behind POST /ops/reviews/{id}/approve: an operator releases an order held for risk review.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/riskapi"
)

func main() { lambdafn.HTTP("risk/approve-review", riskapi.NewApproveReview) }
