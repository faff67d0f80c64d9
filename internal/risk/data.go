package risk

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ErrInput is a CSV a model cannot read: a missing column, a value that is
// not a number, a label other than 0 or 1.
var ErrInput = errors.New("risk: bad input")

// Dataset is labelled rows read from a CSV.
type Dataset struct {
	Features []string
	X        [][]float64
	Y        []float64
}

// ReadCSV reads a CSV with a header row: label is the 0/1 column; features
// are the columns to read (every other column when empty). Returns
// ErrInput, wrapped with the row and column at fault.
func ReadCSV(r io.Reader, label string, features []string) (Dataset, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return Dataset{}, fmt.Errorf("%w: the file is empty", ErrInput)
	}
	if err != nil {
		return Dataset{}, fmt.Errorf("%w: header: %w", ErrInput, err)
	}
	header = slices.Clone(header)
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		header[i] = h
		col[h] = i
	}
	li, ok := col[label]
	if label == "" || !ok {
		return Dataset{}, fmt.Errorf("%w: no label column %q (columns: %s)", ErrInput, label, strings.Join(header, ", "))
	}
	if len(features) == 0 {
		for _, h := range header {
			if h != label {
				features = append(features, h)
			}
		}
	}
	idx := make([]int, len(features))
	for j, f := range features {
		i, ok := col[f]
		if !ok {
			return Dataset{}, fmt.Errorf("%w: no feature column %q (columns: %s)", ErrInput, f, strings.Join(header, ", "))
		}
		if f == label {
			return Dataset{}, fmt.Errorf("%w: the label %q cannot also be a feature", ErrInput, f)
		}
		idx[j] = i
	}
	d := Dataset{Features: slices.Clone(features)}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Dataset{}, fmt.Errorf("%w: %w", ErrInput, err)
		}
		y, err := number(rec[li])
		if err != nil || (y != 0 && y != 1) {
			return Dataset{}, fmt.Errorf("%w: row %d: label %q is %q, want 0 or 1", ErrInput, row, label, rec[li])
		}
		x := make([]float64, len(idx))
		for j, i := range idx {
			if x[j], err = number(rec[i]); err != nil {
				return Dataset{}, fmt.Errorf("%w: row %d: column %q is %q, not a number", ErrInput, row, features[j], rec[i])
			}
		}
		d.X, d.Y = append(d.X, x), append(d.Y, y)
	}
	if len(d.X) == 0 {
		return Dataset{}, fmt.Errorf("%w: no rows after the header", ErrInput)
	}
	return d, nil
}

// number parses a finite number.
func number(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("not finite: %s", s)
	}
	return v, nil
}

// WriteCSV writes the dataset with label as the first column.
func (d Dataset) WriteCSV(w io.Writer, label string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{label}, d.Features...)); err != nil {
		return err
	}
	rec := make([]string, len(d.Features)+1)
	for i, x := range d.X {
		rec[0] = strconv.FormatFloat(d.Y[i], 'g', -1, 64)
		for j, v := range x {
			rec[j+1] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
