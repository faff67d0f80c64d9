package main

import (
	"strings"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/fulfilmentapi"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

// The recorded check-in of tomorrow's booking, today: too early (409); a
// code no booking has: 404. (Check-in within the slot's window, once, is
// tested in internal/checkout against the clock.)
func TestSampleEvent(t *testing.T) {
	env := awstest.FunctionEnv(t)
	o := checkouttest.BookedOrder(t, env)
	resp := checkouttest.APIEventWith(t, fulfilmentapi.NewCheckIn, "testdata/check-in.json", map[string]string{"CODE_PLACEHOLDER": o.Booking.CheckIn.Code}, 409)
	if !strings.Contains(resp.Body, "too early") {
		t.Errorf("answer %s", resp.Body)
	}
	checkouttest.APIEventWith(t, fulfilmentapi.NewCheckIn, "testdata/check-in.json", map[string]string{"CODE_PLACEHOLDER": "ZZZZZZZZ"}, 404)
}
