// Command get-forecast is the Lambda behind GET /merchant/forecasts/{skuId}: a SKU's daily demand history and its forecast with intervals.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.HTTP("forecast/get-forecast", forecastapi.NewGetForecast) }
