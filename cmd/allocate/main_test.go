package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestCLI(t *testing.T) {
	tests := []struct {
		name, in string
		code     int
		out, err string
	}{
		{"solves", `{"sources":[{"id":"whs","supply":10}],"sinks":[{"id":"a","demand":4},{"id":"b","demand":8,"shortagePenalty":3}],"cost":[[1,2]]}`,
			0, `"objective": 22`, ""}, // 4×1 + 6×2 + 2 short × 3
		{"infeasible", `{"sources":[{"id":"whs","supply":1}],"sinks":[{"id":"a","demand":4}],"cost":[[1]]}`, 2, "", "infeasible"},
		{"not JSON", `{"sources":`, 2, "", "reading the problem"},
		{"unknown field", `{"sauces":[]}`, 2, "", "unknown field"},
		{"bad shape", `{"sources":[{"id":"whs","supply":1}],"sinks":[{"id":"a","demand":1}],"cost":[[1,2]]}`, 2, "", "cost[0]"},
	}
	for _, tc := range tests {
		var out, errOut bytes.Buffer
		code := run(strings.NewReader(tc.in), &out, &errOut)
		if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errOut.String(), tc.err) {
			t.Errorf("%s: exit %d, out %q, err %q", tc.name, code, out.String(), errOut.String())
		}
		if code == 0 && !json.Valid(out.Bytes()) {
			t.Errorf("%s: output is not JSON", tc.name)
		}
	}
}
