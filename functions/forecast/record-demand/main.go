// Command record-demand is the Lambda fed by the forecast-events queue: it keeps daily demand per SKU and location from order events, once each.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.Queue("forecast/record-demand", forecastapi.NewRecordDemand) }
