// Command recommendations is the Lambda behind GET /me/recommendations: products for the caller from their own purchases.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/recommendapi"
)

func main() { lambdafn.HTTP("search/recommendations", recommendapi.NewForYou) }
