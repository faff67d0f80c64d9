// Command plan-forecasts runs nightly: it splits every merchant's SKUs into batches on the forecast-jobs queue and records the run.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
)

func main() { lambdafn.Scheduled("forecast/plan-forecasts", forecastapi.NewPlanForecasts) }
