package demo

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/demand"
)

// HistorySKUs is how many of the tea house's SKUs get a demand history: a
// few dozen show every pattern, and the emulator keeps everything in
// memory (two years of every SKU at every location would be over a
// million items).
const HistorySKUs = 48

// HistoryDays is the length of the seeded history: two years.
const HistoryDays = 730

// Demand patterns of the seeded history.
const (
	Smooth       = "smooth"       // every day, weekly and yearly seasonality, a trend
	Promoted     = "promoted"     // smooth, with 618 and Double 11 sales
	Intermittent = "intermittent" // a sale every few days, a few units each
)

// HistorySeries is one SKU's generated history: the SKU's total and its
// split over the locations it is stocked at.
type HistorySeries struct {
	SKU     string
	Pattern string
	Total   demand.Series
	ByPlace []demand.Series
}

// History generates two years of daily demand for HistorySKUs of the tea
// house's SKUs, ending the day before now (in zone), the same for the same
// day: about a third smooth, a third promoted and a third intermittent.
// Smooth demand has a level of 2–20 units a day, a trend of up to ±40% a
// year, weekends 30% busier, and a yearly peak (spring's new tea, winter's
// coffee); promoted demand triples around 18 June and 11 November;
// intermittent demand sells 1–3 units on 5–35% of days. Units are
// Poisson around the pattern; revenue is units times the SKU's price. The
// locations get multinomial shares of each day (warehouse heavier).
func History(now time.Time, zone *time.Location) []HistorySeries {
	b := Catalog()
	products := map[string]catalog.Product{}
	for _, p := range b.Products {
		products[p.ID] = p
	}
	var skus []catalog.SKU
	for _, s := range b.SKUs {
		if products[s.ProductID].MerchantID == TeaHouse && len(s.Stock) > 0 {
			skus = append(skus, s)
		}
	}
	skus = skus[:min(HistorySKUs, len(skus))]
	end := time.Date(now.In(zone).Year(), now.In(zone).Month(), now.In(zone).Day(), 0, 0, 0, 0, zone).AddDate(0, 0, -1)
	start := end.AddDate(0, 0, -(HistoryDays - 1))
	out := make([]HistorySeries, 0, len(skus))
	for i, s := range skus {
		rng := rand.New(rand.NewPCG(hash(s.ID), uint64(start.Unix())))
		pattern := []string{Smooth, Promoted, Intermittent}[i%3]
		hs := HistorySeries{SKU: s.ID, Pattern: pattern, Total: demand.Series{SKU: s.ID}}
		locs := slices.Sorted(maps.Keys(s.Stock))
		weights := make([]float64, len(locs))
		for j, l := range locs {
			weights[j] = 1
			if strings.HasPrefix(l, catalog.WarehousePrefix+"_") {
				weights[j] = 3
			}
			hs.ByPlace = append(hs.ByPlace, demand.Series{SKU: s.ID, Location: l})
		}
		category := products[s.ProductID].Category
		level := 2 + 18*rng.Float64()
		trend := (rng.Float64()*2 - 1) * 0.4
		occur := 0.05 + 0.3*rng.Float64()
		for d := 0; d < HistoryDays; d++ {
			day := start.AddDate(0, 0, d)
			var units int64
			if pattern == Intermittent {
				if rng.Float64() < occur {
					units = 1 + int64(rng.IntN(3))
				}
			} else {
				rate := level * (1 + trend*float64(d)/365)
				if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
					rate *= 1.3
				}
				rate *= yearly(category, day)
				if pattern == Promoted && promotion(day) {
					rate *= 3
				}
				units = poisson(rng, math.Max(0.1, rate))
			}
			date := day.Format("2006-01-02")
			hs.Total.Days = append(hs.Total.Days, demand.Day{Date: date, Units: units, Revenue: units * s.Price.Amount})
			split := multinomial(rng, units, weights)
			for j := range locs {
				hs.ByPlace[j].Days = append(hs.ByPlace[j].Days, demand.Day{Date: date, Units: split[j], Revenue: split[j] * s.Price.Amount})
			}
		}
		out = append(out, hs)
	}
	return out
}

// yearly is the seasonal factor of a day: tea peaks in April (the new
// season's leaves), coffee in January; ±35%.
func yearly(category string, day time.Time) float64 {
	peak := 105.0 // mid-April
	if category == "coffee" {
		peak = 15
	}
	return 1 + 0.35*math.Cos(2*math.Pi*(float64(day.YearDay())-peak)/365.25)
}

// promotion reports the days of the 618 and Double 11 sales (the day and
// the two before).
func promotion(day time.Time) bool {
	m, d := day.Month(), day.Day()
	return m == time.June && d >= 16 && d <= 18 || m == time.November && d >= 9 && d <= 11
}

// poisson draws a Poisson count (Knuth's method; rates here are small).
func poisson(rng *rand.Rand, lambda float64) int64 {
	l, k, p := math.Exp(-lambda), int64(0), 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// multinomial splits n units over weights.
func multinomial(rng *rand.Rand, n int64, weights []float64) []int64 {
	out := make([]int64, len(weights))
	total := 0.0
	for _, w := range weights {
		total += w
	}
	for range n {
		r := rng.Float64() * total
		for j, w := range weights {
			if r < w || j == len(weights)-1 {
				out[j]++
				break
			}
			r -= w
		}
	}
	return out
}
