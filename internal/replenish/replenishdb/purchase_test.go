package replenishdb

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestTermsValidateAndApply(t *testing.T) {
	pol := Policy{LeadTimeDays: 7, LeadTimeSD: 2, ServiceLevel: 0.95, ReviewDays: 7}
	for _, tc := range []struct {
		name  string
		terms Terms
		field string // "" valid
		want  Effective
	}{
		{"lead time only: the policy's deviation", Terms{LeadTimeDays: ptr(30.0)}, "", Effective{Policy: Policy{30, 2, 0.95, 7}}},
		{"a short lead time caps the policy's deviation", Terms{LeadTimeDays: ptr(1.0)}, "", Effective{Policy: Policy{1, 1, 0.95, 7}}},
		{"pack and minimum only", Terms{PackSize: ptr(int64(24)), MinOrder: ptr(int64(48))}, "", Effective{Policy: pol, PackSize: 24, MinOrder: 48}},
		{"zero pack is none", Terms{PackSize: ptr(int64(0))}, "", Effective{Policy: pol}},
		{"deviation within the SKU's lead time", Terms{LeadTimeDays: ptr(30.0), LeadTimeSD: ptr(10.0)}, "", Effective{Policy: Policy{30, 10, 0.95, 7}}},
		{"nothing set", Terms{}, "*", Effective{}},
		{"lead time 0", Terms{LeadTimeDays: ptr(0.0)}, "leadTimeDays", Effective{}},
		{"lead time over a year", Terms{LeadTimeDays: ptr(365.5)}, "leadTimeDays", Effective{}},
		{"deviation over the SKU's lead time", Terms{LeadTimeDays: ptr(3.0), LeadTimeSD: ptr(4.0)}, "leadTimeSd", Effective{}},
		{"deviation over the policy's lead time", Terms{LeadTimeSD: ptr(7.5)}, "leadTimeSd", Effective{}},
		{"negative deviation", Terms{LeadTimeSD: ptr(-1.0)}, "leadTimeSd", Effective{}},
		{"negative pack", Terms{PackSize: ptr(int64(-1))}, "packSize", Effective{}},
		{"huge minimum", Terms{MinOrder: ptr(int64(100_001))}, "minOrder", Effective{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.terms.Validate(pol)
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.field == "*" && err == nil, tc.field != "" && tc.field != "*" && (err == nil || !strings.Contains(err.Error(), "field "+tc.field)):
				t.Fatalf("Validate: %v, want an error naming %s", err, tc.field)
			case tc.field == "":
				if got := tc.terms.Apply(pol); got != tc.want {
					t.Errorf("Apply = %+v, want %+v", got, tc.want)
				}
			}
		})
	}
}

func TestPurchaseOrderStates(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	po, err := NewPurchaseOrder("po_aaaaaaaaaaaaaaaa", "sku_aaaaaaaaaaaaaaaa", "whs_aaaaaaaaaaaaaaaa", 30, now.AddDate(0, 0, 7), "PO-1", "staff", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := po.Receive("r1", 31, "staff", now); err == nil || !strings.Contains(err.Error(), "(field quantity)") || po.Open != 30 {
		t.Errorf("over-receipt: %v", err)
	}
	if err := po.Receive("r1", 10, "staff", now); err != nil || po.Open != 20 || po.Received != 10 || po.Status != Open {
		t.Errorf("partial: %v %+v", err, po)
	}
	if err := po.Receive("r2", 20, "staff", now); err != nil || po.Open != 0 || po.Status != Received {
		t.Errorf("the rest: %v %+v", err, po)
	}
	if err := po.Receive("r3", 0, "staff", now); !errors.Is(err, ErrPOReceived) {
		t.Errorf("after all: %v", err)
	}
	if err := po.Cancel(now); !errors.Is(err, ErrPOReceived) {
		t.Errorf("cancel received: %v", err)
	}
	other, _ := NewPurchaseOrder("po_bbbbbbbbbbbbbbbb", "sku_aaaaaaaaaaaaaaaa", "sto_aaaaaaaaaaaaaaaa", 5, now, "", "staff", now)
	if err := other.Cancel(now); err != nil || other.Status != Cancelled || other.Open != 0 {
		t.Errorf("cancel: %v %+v", err, other)
	}
	if err := other.Cancel(now); !errors.Is(err, ErrNoChange) {
		t.Errorf("cancel twice: %v", err)
	}
	if err := other.Receive("r1", 0, "staff", now); !errors.Is(err, ErrPOCancelled) {
		t.Errorf("receive cancelled: %v", err)
	}
	for _, tc := range []struct {
		qty      int64
		expected time.Time
		ref      string
	}{
		{0, now, ""}, {1_000_001, now, ""}, {1, now.AddDate(-2, 0, 0), ""}, {1, now.AddDate(3, 0, 0), ""}, {1, time.Time{}, ""},
		{1, now, string(make([]rune, 101))},
	} {
		if _, err := NewPurchaseOrder("po_cccccccccccccccc", "sku_aaaaaaaaaaaaaaaa", "whs_aaaaaaaaaaaaaaaa", tc.qty, tc.expected, tc.ref, "staff", now); err == nil {
			t.Errorf("NewPurchaseOrder(%d, %s, %d-rune reference) accepted", tc.qty, tc.expected, len(tc.ref))
		}
	}
}
