package config

import (
	"strings"
	"testing"
)

type sample struct {
	Table string `env:"T_TABLE,required,notEmpty"`
	Limit int    `env:"T_LIMIT" envDefault:"7"`
}

func TestLoadFrom(t *testing.T) {
	tests := []struct {
		name    string
		environ map[string]string
		want    sample
		wantErr string
	}{
		{"defaults", map[string]string{"T_TABLE": "x"}, sample{Table: "x", Limit: 7}, ""},
		{"explicit", map[string]string{"T_TABLE": "x", "T_LIMIT": "3"}, sample{Table: "x", Limit: 3}, ""},
		{"missing required names the variable", map[string]string{}, sample{}, "T_TABLE"},
		{"bad int names the variable", map[string]string{"T_TABLE": "x", "T_LIMIT": "many"}, sample{}, "T_LIMIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadFrom[sample](tt.environ)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
