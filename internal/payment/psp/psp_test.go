package psp

import "testing"

func TestNew(t *testing.T) {
	tests := []struct {
		cfg      Config
		wantName string
		wantErr  bool
	}{
		{Config{}, "sandbox", false},
		{Config{Provider: "sandbox"}, "sandbox", false},
		{Config{Provider: "stripe", StripeAPIKey: "sk_test_1"}, "stripe", false},
		{Config{Provider: "stripe"}, "", true},
		{Config{Provider: "paypal"}, "", true},
	}
	for _, tt := range tests {
		p, err := New(tt.cfg, nil, "payments")
		if (err != nil) != tt.wantErr || (err == nil && p.Name() != tt.wantName) {
			t.Errorf("New(%+v) = %v, %v; want %s (error %v)", tt.cfg.Provider, p, err, tt.wantName, tt.wantErr)
		}
	}
}
