package risk

import (
	"math"
	"sort"
)

// Confusion counts outcomes at one threshold (score ≥ threshold flags).
type Confusion struct {
	Threshold float64 `json:"threshold"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	TN        int     `json:"tn"`
	FN        int     `json:"fn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	// FlagRate is the share of all orders flagged.
	FlagRate float64 `json:"flagRate"`
}

// Bin is one decile of scores: how many, the mean score, the fraud rate.
type Bin struct {
	Decile    int     `json:"decile"`
	N         int     `json:"n"`
	MeanScore float64 `json:"meanScore"`
	Observed  float64 `json:"observed"`
}

// Report is a model's quality on labelled data.
type Report struct {
	N        int     `json:"n"`
	Positive int     `json:"positive"`
	ROCAUC   float64 `json:"rocAuc"`
	// PRAUC is the area under the precision–recall curve as average
	// precision (precision at each positive, averaged; no interpolation).
	PRAUC       float64   `json:"prAuc"`
	Calibration []Bin     `json:"calibration"`
	Review      Confusion `json:"review"`
	Block       Confusion `json:"block"`
}

// Evaluate scores the rows of x (the model's features in its order) and
// reports against labels y.
func (m *Model) Evaluate(x [][]float64, y []float64) Report {
	scores := make([]float64, len(x))
	for i, row := range x {
		scores[i] = m.Score(row)
	}
	r := Report{N: len(y), ROCAUC: ROCAUC(scores, y), PRAUC: AveragePrecision(scores, y), Calibration: Calibration(scores, y, 10)}
	for _, v := range y {
		if v == 1 {
			r.Positive++
		}
	}
	r.Review = ConfusionAt(scores, y, m.Thresholds.Review)
	r.Block = ConfusionAt(scores, y, m.Thresholds.Block)
	return r
}

// AveragePrecision is Σ (Rₖ − Rₖ₋₁)·Pₖ over scores from highest down, tied
// scores taken together: the PR AUC without interpolation.
func AveragePrecision(scores, y []float64) float64 {
	idx := order(scores)
	var pos int
	for _, v := range y {
		if v == 1 {
			pos++
		}
	}
	if pos == 0 {
		return math.NaN()
	}
	var tp, seen int
	var ap, lastRecall float64
	for i := len(idx) - 1; i >= 0; {
		j := i
		for j >= 0 && scores[idx[j]] == scores[idx[i]] {
			if y[idx[j]] == 1 {
				tp++
			}
			seen++
			j--
		}
		recall := float64(tp) / float64(pos)
		ap += (recall - lastRecall) * float64(tp) / float64(seen)
		lastRecall = recall
		i = j
	}
	return ap
}

// Calibration splits the scores into bins of equal count (lowest first)
// and compares each bin's mean score with its observed positive rate.
func Calibration(scores, y []float64, bins int) []Bin {
	idx := order(scores)
	n := len(idx)
	out := make([]Bin, 0, bins)
	for b := range bins {
		lo, hi := b*n/bins, (b+1)*n/bins
		if hi == lo {
			continue
		}
		var s, pos float64
		for _, i := range idx[lo:hi] {
			s += scores[i]
			pos += y[i]
		}
		k := float64(hi - lo)
		out = append(out, Bin{Decile: b + 1, N: hi - lo, MeanScore: s / k, Observed: pos / k})
	}
	return out
}

// ConfusionAt counts outcomes flagging every score ≥ threshold.
func ConfusionAt(scores, y []float64, threshold float64) Confusion {
	c := Confusion{Threshold: threshold}
	for i, s := range scores {
		switch flagged := s >= threshold; {
		case flagged && y[i] == 1:
			c.TP++
		case flagged:
			c.FP++
		case y[i] == 1:
			c.FN++
		default:
			c.TN++
		}
	}
	if c.TP+c.FP > 0 {
		c.Precision = float64(c.TP) / float64(c.TP+c.FP)
	}
	if c.TP+c.FN > 0 {
		c.Recall = float64(c.TP) / float64(c.TP+c.FN)
	}
	if n := len(scores); n > 0 {
		c.FlagRate = float64(c.TP+c.FP) / float64(n)
	}
	return c
}

// order returns the indices of scores, lowest score first.
func order(scores []float64) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	return idx
}
