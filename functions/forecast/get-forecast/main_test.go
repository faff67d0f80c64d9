package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"math"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/forecastapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

// 120 days of weekly-patterned sales of the demo SKU, then the recorded
// request: its history with zeros filled and 14 days of forecast with
// 80% and 95% intervals around the mean.
func TestSampleEvent(t *testing.T) {
	ctx := context.Background()
	env := awstest.FunctionEnv(t)
	sku := checkouttest.SeedDemoProduct(t, env)
	if sku != "sku_r3uweaehbhjxlf2l" {
		t.Fatalf("the recorded event names sku_r3uweaehbhjxlf2l, the demo seeds %s", sku)
	}
	api, err := forecastapi.NewAPI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().AddDate(0, 0, -120)
	for d := range 120 {
		q := int64(3 + 2*int(math.Sin(float64(d)*2*math.Pi/7)+1))
		if d%11 == 0 {
			continue // a day without sales
		}
		at := start.AddDate(0, 0, d)
		e, err := outbox.New("evt_"+at.Format("20060102"), checkout.TypeOrderPaid, 1, at, checkout.OrderPaid{OrderID: "ord_x", PaidAt: at,
			Total: money.Money{Amount: q * 100, Currency: "CNY"}, Lines: []order.Line{{SKUID: sku, Quantity: q, Total: money.Money{Amount: q * 100, Currency: "CNY"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := api.Demand.Apply(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	resp := checkouttest.APIEventWith(t, forecastapi.NewGetForecast, "testdata/get-forecast.json", nil, 200)
	var f forecastapi.Forecast
	if err := json.Unmarshal([]byte(resp.Body), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.History) != 120 || len(f.Forecast) != 14 || f.Model == "" {
		t.Fatalf("%d history days, %d forecast days, model %q", len(f.History), len(f.Forecast), f.Model)
	}
	for _, p := range f.Forecast {
		if !(p.Lower["95"] <= p.Lower["80"] && p.Lower["80"] <= p.Mean && p.Mean <= p.Upper["80"] && p.Upper["80"] <= p.Upper["95"]) || p.Mean < 1 || p.Mean > 10 {
			t.Errorf("forecast %+v out of shape", p)
		}
	}
	// The same forecast as a chart: a PNG, base64 as API Gateway carries
	// binary bodies; an unknown format is refused.
	chart := checkouttest.APIEventWith(t, forecastapi.NewGetForecast, "testdata/get-forecast.json", map[string]string{`"m": "7"`: `"m": "7", "format": "png"`}, 200)
	img, err := base64.StdEncoding.DecodeString(chart.Body)
	if err != nil || !chart.IsBase64Encoded || chart.Headers["Content-Type"] != "image/png" {
		t.Fatalf("chart: %v %v %v", chart.Headers, chart.IsBase64Encoded, err)
	}
	if _, err := png.Decode(bytes.NewReader(img)); err != nil {
		t.Errorf("chart is not a PNG: %v", err)
	}
	checkouttest.APIEventWith(t, forecastapi.NewGetForecast, "testdata/get-forecast.json", map[string]string{`"m": "7"`: `"m": "7", "format": "xml"`}, 400)
	checkouttest.APIEventWith(t, forecastapi.NewGetForecast, "testdata/get-forecast.json", map[string]string{`"m": "7"`: `"m": "7", "location": "paris"`}, 400)
}
