package hans

import "testing"

func TestSimplify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"龍井", "龙井"},
		{"紅樓夢", "红楼梦"},
		{"藍牙音箱", "蓝牙音箱"},
		{"龙井", "龙井"},
		{"iPhone 手機殼", "iPhone 手机壳"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Simplify(tt.in); got != tt.want {
				t.Errorf("Simplify(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
