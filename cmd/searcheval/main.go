// Command searcheval scores product search against the golden set of
// graded queries over the demo catalog and prints nDCG@10, recall@10, MRR,
// zero-result rate, noise on out-of-catalog queries and latency for our
// configuration and for stock Bleve defaults side by side, then nDCG@10 by
// kind of query. Exit code 2 on bad flags, 1 on failure.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/search"
	"github.com/jiaoyi-dev/jiaoyi/internal/search/eval"
)

func main() {
	fs := flag.NewFlagSet("searcheval", flag.ContinueOnError)
	runs := fs.Int("runs", 3, "passes over the golden set (latency is from all passes)")
	if err := fs.Parse(os.Args[1:]); err != nil || *runs < 1 || fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: searcheval [-runs N>=1]")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "searcheval:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, runs int) error {
	dir, err := os.MkdirTemp("", "searcheval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b := demo.Catalog()
	if _, err := search.Build(ctx, search.Join(b.Products, b.SKUs), dir+"/ours"); err != nil {
		return err
	}
	eng, err := search.Open(dir + "/ours")
	if err != nil {
		return err
	}
	defer eng.Close()
	stock, closeStock, err := eval.Stock(dir, search.Join(b.Products, b.SKUs))
	if err != nil {
		return err
	}
	defer closeStock()
	golden, err := eval.Golden()
	if err != nil {
		return err
	}
	var qs []eval.Query
	for range runs {
		qs = append(qs, golden...)
	}
	ours, err := eval.Run(ctx, eval.Ours(eng), qs, b.Products)
	if err != nil {
		return err
	}
	base, err := eval.Run(ctx, stock, qs, b.Products)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "golden set: %d queries over %d demo products\n\n", len(golden), len(b.Products))
	fmt.Fprintf(w, "%-28s %10s %14s\n", "metric", "ours", "stock bleve")
	row := func(name string, a, b float64) { fmt.Fprintf(w, "%-28s %10.3f %14.3f\n", name, a, b) }
	row("nDCG@10", ours.NDCG10, base.NDCG10)
	row("recall@10", ours.Recall10, base.Recall10)
	row("MRR", ours.MRR, base.MRR)
	row("zero-result rate", ours.ZeroResult, base.ZeroResult)
	row("noise (out-of-catalog hits)", ours.Noise, base.Noise)
	row("latency mean (ms)", ours.MeanMS, base.MeanMS)
	row("latency p99 (ms)", ours.P99MS, base.P99MS)
	fmt.Fprintf(w, "\nnDCG@10 by kind\n")
	var kinds []string
	for k := range ours.ByKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		row(k, ours.ByKind[k], base.ByKind[k])
	}
	return nil
}
