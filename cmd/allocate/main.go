// Command allocate solves a stock allocation problem: JSON on stdin
//
//	{"sources":[{"id","supply"}],"sinks":[{"id","demand","shortagePenalty"?}],"cost":[[…]],"capacity"?:[[…]]}
//
// (cost per unit from each source to each sink; a sink without a penalty
// must be served in full) and prints {"objective", "flows":[{"from","to","units"}],
// "shortages"?}. Bad input and infeasible problems exit 2 with the reason.
//
//	go run ./cmd/allocate < problem.json
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/jiaoyi-dev/jiaoyi/internal/allocate"
)

func main() { os.Exit(run(os.Stdin, os.Stdout, os.Stderr)) }

func run(in io.Reader, out, errOut io.Writer) int {
	dec := json.NewDecoder(io.LimitReader(in, 8<<20))
	dec.DisallowUnknownFields()
	var p allocate.Problem
	if err := dec.Decode(&p); err != nil {
		fmt.Fprintln(errOut, "allocate: reading the problem:", err)
		return 2
	}
	sol, err := allocate.Solve(p)
	if err != nil {
		fmt.Fprintln(errOut, err)
		return 2
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sol); err != nil {
		fmt.Fprintln(errOut, "allocate:", err)
		return 1
	}
	return 0
}
