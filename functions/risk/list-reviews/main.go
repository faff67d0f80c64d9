// Command list-reviews is the Lambda behind GET /ops/reviews: the orders held for risk review.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/riskapi"
)

func main() { lambdafn.HTTP("risk/list-reviews", riskapi.NewListReviews) }
