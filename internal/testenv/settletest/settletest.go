// Package settletest helps the settlement functions' tests: the business
// day their recorded events name, and settlement runs over the demo
// merchants.
package settletest

import (
	"context"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/ledger"
	"github.com/jiaoyi-dev/jiaoyi/internal/metrics"
	"github.com/jiaoyi-dev/jiaoyi/internal/payment/sandbox"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/settle"
	"github.com/jiaoyi-dev/jiaoyi/internal/settlement"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/checkouttest"
)

// Merchant is the demo merchant the recorded events' tokens belong to.
var Merchant = demo.TeaHouse

// Placeholders in the recorded events.
const (
	DayPlaceholder  = "DATE_PLACEHOLDER"
	FromPlaceholder = "DATE_FROM"
)

// Day is the latest business day every demo merchant may settle now: the
// earliest of their latest closable days (the electronics brand's day
// ends at 04:00 in Shanghai, four hours after the others', so for those
// four hours it is a day behind theirs).
func Day(t *testing.T) settle.Date {
	t.Helper()
	earliest, _ := closable(t)
	return earliest
}

// NotOver is a business day no demo merchant may settle yet but not in
// the future anywhere: the day after the latest of their latest closable
// days, today in Shanghai.
func NotOver(t *testing.T) settle.Date {
	t.Helper()
	_, latest := closable(t)
	return latest.AddDays(1)
}

// closable returns the earliest and the latest of the demo merchants'
// latest closable days now.
func closable(t *testing.T) (earliest, latest settle.Date) {
	t.Helper()
	s := &settlement.Settler{}
	now := time.Now()
	for i, m := range demo.Merchants() {
		d, err := s.LatestClosable(m, now)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 || d.Compare(earliest) < 0 {
			earliest = d
		}
		if i == 0 || d.Compare(latest) > 0 {
			latest = d
		}
	}
	return earliest, latest
}

// With is the placeholders' values for day.
func With(day settle.Date) map[string]string {
	return map[string]string{DayPlaceholder: day.String(), FromPlaceholder: day.AddDays(-7).String()}
}

// Settled seeds the demo merchants and settles them all up to day,
// exporting the statements when env has the exports bucket.
func Settled(t *testing.T, env provision.Env, day settle.Date) settlement.Summary {
	t.Helper()
	checkouttest.SeedDemoProduct(t, env)
	db := awstest.DynamoDB(t)
	book := ledger.New(db, env[resource.Ledger.EnvVar])
	s := &settlement.Settler{Ledger: book, Store: &settlement.Store{DB: db, Table: env[resource.Ledger.EnvVar]},
		Merchants: catalog.NewRepository(db, env[resource.Catalog.EnvVar]), Now: time.Now}
	if bucket := env[resource.SettlementExports.EnvVar]; bucket != "" {
		s.Exporter = &settlement.Exporter{S3: awstest.S3(t), Bucket: bucket}
	}
	sum, err := s.SettleAll(context.Background(), &day)
	if err != nil || len(sum.Failures) > 0 {
		t.Fatalf("settle: %v %+v", err, sum.Failures)
	}
	return sum
}

// Reconciled runs a reconciliation of the sandbox's report of day.
func Reconciled(t *testing.T, env provision.Env, day string) settlement.Run {
	t.Helper()
	db := awstest.DynamoDB(t)
	r := &settlement.Reconciler{Ledger: ledger.New(db, env[resource.Ledger.EnvVar]), Provider: sandbox.Name,
		Reports: settlement.SandboxReports{Provider: sandbox.New(db, env[resource.Payments.EnvVar])},
		Store:   &settlement.Store{DB: db, Table: env[resource.Ledger.EnvVar]}, Metrics: metrics.Discard(), Now: time.Now}
	run, err := r.Run(context.Background(), day, "CNY")
	if err != nil {
		t.Fatal(err)
	}
	return run
}
