package demand_test

import (
	"context"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/checkout"
	"github.com/jiaoyi-dev/jiaoyi/internal/demand"
	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/order"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func cny(n int64) money.Money { return money.Money{Amount: n, Currency: "CNY"} }

func event(t *testing.T, id, typ string, at time.Time, data any) outbox.Event {
	t.Helper()
	e, err := outbox.New(id, typ, 1, at, data)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A paid order counts once however often it is delivered, per SKU and per
// location; a partial refund takes revenue back, a full one units too; the
// history has zeros on days without sales.
func TestDemandHistory(t *testing.T) {
	ctx := context.Background()
	env := awstest.Tables(t, resource.Analytics)
	db := awstest.DynamoDB(t)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	s := &demand.Store{DB: db, Table: env[resource.Analytics.EnvVar], Zone: sh,
		Inbox: &outbox.Inbox{DB: db, Table: env[resource.Analytics.EnvVar], Consumer: "demand"}}
	paidAt := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC) // the 24th in Shanghai
	lines := []order.Line{
		{SKUID: "sku_a", Quantity: 3, UnitPrice: cny(1000), Total: cny(3000), Sources: []order.Source{{LocationID: "whs_1", Quantity: 2}, {LocationID: "whs_2", Quantity: 1}}},
		{SKUID: "sku_b", Quantity: 1, UnitPrice: cny(1000), Total: cny(1000)},
	}
	paid := event(t, "evt_paid_1", checkout.TypeOrderPaid, paidAt, checkout.OrderPaid{OrderID: "ord_1", Total: cny(4000), Lines: lines, PaidAt: paidAt})
	for range 3 {
		if err := s.Apply(ctx, paid); err != nil {
			t.Fatal(err)
		}
	}
	refundAt := paidAt.Add(26 * time.Hour) // the 25th
	partial := event(t, "evt_r1", checkout.TypeRefundSucceeded, refundAt, checkout.RefundChanged{OrderID: "ord_1", RefundID: "rfd_1",
		Amount: cny(2000), Refunded: cny(2000), Total: cny(4000), Lines: lines, Origin: order.RefundRequested})
	if err := s.Apply(ctx, partial); err != nil {
		t.Fatal(err)
	}
	from, to := time.Date(2026, 11, 22, 12, 0, 0, 0, sh), time.Date(2026, 11, 26, 12, 0, 0, 0, sh)
	got, err := s.History(ctx, "sku_a", "", from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := []demand.Day{{Date: "2026-11-22"}, {Date: "2026-11-23"}, {Date: "2026-11-24", Units: 3, Revenue: 3000},
		{Date: "2026-11-25", Units: 0, Revenue: -1500}, {Date: "2026-11-26"}}
	if len(got) != len(want) {
		t.Fatalf("history %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("day %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	loc, err := s.History(ctx, "sku_a", "whs_1", paidAt, paidAt)
	if err != nil || len(loc) != 1 || loc[0].Units != 2 || loc[0].Revenue != 2000 {
		t.Errorf("whs_1: %+v %v", loc, err)
	}
	// The rest refunded: the whole order went back, units too.
	full := event(t, "evt_r2", checkout.TypeRefundSucceeded, refundAt, checkout.RefundChanged{OrderID: "ord_1", RefundID: "rfd_2",
		Amount: cny(2000), Refunded: cny(4000), Total: cny(4000), Lines: lines, Origin: order.RefundRequested})
	if err := s.Apply(ctx, full); err != nil {
		t.Fatal(err)
	}
	b, err := s.History(ctx, "sku_b", "", refundAt, refundAt)
	if err != nil || b[0].Units != -1 {
		t.Errorf("sku_b after a full refund: %+v %v", b, err)
	}
}
