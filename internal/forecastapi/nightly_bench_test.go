package forecastapi

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/demand"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/replenish/replenishdb"
)

// BenchmarkPlanSeries plans one SKU-location series of two years of daily
// demo history (smooth, promoted and intermittent in turn): the forecast
// by backtest and the decision, the CPU work of the nightly run per
// series (its reads are one Query each). 10,000 SKUs at three locations
// each are 30,000 series.
func BenchmarkPlanSeries(b *testing.B) {
	zone, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, zone)
	hs := demo.History(now, zone)
	var series [][]demand.Day
	for _, h := range hs[:9] {
		series = append(series, h.Total.Days)
	}
	pol := replenishdb.Policy{LeadTimeDays: 7, LeadTimeSD: 2, ServiceLevel: 0.95, ReviewDays: 7}
	n := &Nightly{API: &API{Demand: &demand.Store{Zone: zone}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Defaults: pol}}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, ok, err := n.planSeries(series[i%len(series)], position{onHand: 100}, replenishdb.Effective{Policy: pol}, now); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/series")
}
