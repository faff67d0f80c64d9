package eval

import (
	"context"
	"math"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/search"
)

func TestMetricsOnHandComputedRankings(t *testing.T) {
	g := map[string]int{"a": 3, "b": 1, "c": 2}
	tests := []struct {
		name                string
		ids                 []string
		wantNDCG, wantRecal float64
		wantRR              float64
	}{
		{"ideal", []string{"a", "c", "b"}, 1, 1, 1},
		{"nothing", nil, 0, 0, 0},
		// dcg = 0 + 7/log2(3) ; idcg = 7 + 3/log2(3) + 1/2
		{"best second", []string{"x", "a"}, (7 / math.Log2(3)) / (7 + 3/math.Log2(3) + 0.5), 0.5, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ndcg(tt.ids, g); math.Abs(got-tt.wantNDCG) > 1e-12 {
				t.Errorf("ndcg = %v, want %v", got, tt.wantNDCG)
			}
			if got := recall(tt.ids, g); math.Abs(got-tt.wantRecal) > 1e-12 {
				t.Errorf("recall = %v, want %v", got, tt.wantRecal)
			}
			if got := rr(tt.ids, g); math.Abs(got-tt.wantRR) > 1e-12 {
				t.Errorf("rr = %v, want %v", got, tt.wantRR)
			}
		})
	}
}

func TestGoldenSetCoversEveryKind(t *testing.T) {
	qs, err := Golden()
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 150 {
		t.Fatalf("%d golden queries, want at least 150", len(qs))
	}
	kinds := map[string]int{}
	products := demo.Catalog().Products
	for _, q := range qs {
		kinds[q.Kind]++
		if len(q.Rules) > 0 && len(Grades(q, products)) == 0 {
			t.Errorf("%q: its rules grade no product", q.Q)
		}
	}
	for _, k := range []string{"zh-char", "zh-word", "zh-inner", "zh-phrase", "traditional", "pinyin", "stemming", "typo", "compound", "mixed", "en-name", "none"} {
		if kinds[k] == 0 {
			t.Errorf("no %s queries", k)
		}
	}
}

// TestOursBeatsStockDefaults holds the relevance work to the golden set.
func TestOursBeatsStockDefaults(t *testing.T) {
	ctx := context.Background()
	b := demo.Catalog()
	dir := t.TempDir()
	if _, err := search.Build(ctx, search.Join(b.Products, b.SKUs), dir); err != nil {
		t.Fatal(err)
	}
	eng, err := search.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	stock, closeStock, err := Stock(t.TempDir(), search.Join(b.Products, b.SKUs))
	if err != nil {
		t.Fatal(err)
	}
	defer closeStock()
	qs, _ := Golden()
	ours, err := Run(ctx, Ours(eng), qs, b.Products)
	if err != nil {
		t.Fatal(err)
	}
	base, err := Run(ctx, stock, qs, b.Products)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ours  %+v", ours)
	t.Logf("stock %+v", base)
	if ours.NDCG10 <= base.NDCG10 || ours.Recall10 <= base.Recall10 || ours.MRR <= base.MRR {
		t.Errorf("ours nDCG %.3f recall %.3f MRR %.3f; stock %.3f %.3f %.3f: want ours higher on each",
			ours.NDCG10, ours.Recall10, ours.MRR, base.NDCG10, base.Recall10, base.MRR)
	}
	if ours.ZeroResult >= base.ZeroResult && base.ZeroResult > 0 || ours.Noise >= base.Noise && base.Noise > 0 {
		t.Errorf("ours zero-result %.3f noise %.3f; stock %.3f %.3f: want ours lower", ours.ZeroResult, ours.Noise, base.ZeroResult, base.Noise)
	}
}
