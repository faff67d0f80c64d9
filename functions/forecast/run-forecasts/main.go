// Command run-forecasts is the Lambda fed by the forecast-jobs queue: it forecasts a batch of SKUs at each location and writes their replenishment plans, counting each batch once.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.Queue("forecast/run-forecasts", forecastapi.NewRunForecasts) }
