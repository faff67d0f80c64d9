package id

import "testing"

func TestNewAndDeriveAreValid(t *testing.T) {
	for _, s := range []string{New(Product), Derive(SKU, "x"), New(Order)} {
		prefix := s[:3]
		if !Valid(prefix, s) {
			t.Errorf("Valid(%q, %q) = false", prefix, s)
		}
	}
	if a, b := Derive(Product, "a"), Derive(Product, "a"); a != b {
		t.Error("Derive is not deterministic")
	}
	if Derive(Product, "a") == Derive(Product, "b") {
		t.Error("Derive maps two seeds to one id")
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		prefix, s string
		want      bool
	}{
		{Product, "prd_abcdefghijklmnop", true},
		{Product, "prd_abcdefghijklmno", false},   // short
		{Product, "prd_abcdefghijklmnopq", false}, // long
		{Product, "prd_ABCDEFGHIJKLMNOP", false},  // upper case
		{Product, "prd_abcdefghijklmn01", false},  // 0 and 1 are not base32
		{Product, "sku_abcdefghijklmnop", false},  // other type
		{Product, "", false},
		{Product, "prd_abcdefghijklmn/p", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.prefix, tt.s); got != tt.want {
			t.Errorf("Valid(%q, %q) = %v, want %v", tt.prefix, tt.s, got, tt.want)
		}
	}
}
