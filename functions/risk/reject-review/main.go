// Command reject-review is the Lambda behind POST /ops/reviews/{id}/reject: an operator cancels and refunds an order held for risk review.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/riskapi"
)

func main() { lambdafn.HTTP("risk/reject-review", riskapi.NewRejectReview) }
