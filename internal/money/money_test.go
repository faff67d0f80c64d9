package money

import (
	"errors"
	"testing"
)

func TestNew(t *testing.T) {
	tests := []struct {
		amount   int64
		currency string
		wantErr  error
	}{
		{1280, "CNY", nil},
		{0, "JPY", nil},
		{MaxAmount, "USD", nil},
		{-1, "CNY", ErrRange},
		{MaxAmount + 1, "CNY", ErrRange},
		{100, "XXX", ErrCurrency},
		{100, "cny", ErrCurrency},
	}
	for _, tt := range tests {
		_, err := New(tt.amount, tt.currency)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("New(%d, %q) err = %v, want %v", tt.amount, tt.currency, err, tt.wantErr)
		}
	}
}

func TestArithmetic(t *testing.T) {
	a := Money{1280, "CNY"}
	got, err := a.Times(3)
	if err != nil || got != (Money{3840, "CNY"}) {
		t.Errorf("Times = %v, %v; want CNY 38.40", got, err)
	}
	if _, err := a.Add(Money{1, "USD"}); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("Add across currencies err = %v, want ErrCurrencyMismatch", err)
	}
	if _, err := (Money{MaxAmount, "CNY"}).Times(2); !errors.Is(err, ErrRange) {
		t.Errorf("Times overflow err = %v, want ErrRange", err)
	}
	if _, err := (Money{1 << 62, "CNY"}).Times(4); !errors.Is(err, ErrRange) {
		t.Errorf("Times int64 overflow err = %v, want ErrRange", err)
	}
	if _, err := (Money{MaxAmount, "CNY"}).Add(Money{1, "CNY"}); !errors.Is(err, ErrRange) {
		t.Errorf("Add overflow err = %v, want ErrRange", err)
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{Money{1280, "CNY"}, "CNY 12.80"},
		{Money{5, "USD"}, "USD 0.05"},
		{Money{1500, "JPY"}, "JPY 1500"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.m, got, tt.want)
		}
	}
}
