// Command put-policy serves PUT /merchant/replenishment/policy: the merchant's lead time, its deviation, service level and review period for the nightly plans.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("forecast/put-policy", forecastapi.NewPutPolicy) }
