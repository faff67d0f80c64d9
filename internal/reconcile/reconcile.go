// Package reconcile matches a payment provider's settlement report against
// jiaoyi's ledger records and says what differs: lines the ledger lacks,
// records the provider lacks, amounts, fees or currencies that disagree,
// and report lines that appear twice. It is pure logic over two lists.
package reconcile

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
)

// ErrInvalid means an input line or record is malformed.
var ErrInvalid = errors.New("reconcile: invalid input")

// Type is what a line records.
type Type string

// Line and record types.
const (
	Charge  Type = "charge"
	Refund  Type = "refund"
	Fee     Type = "fee"
	Dispute Type = "dispute"
	Payout  Type = "payout"
)

var types = map[Type]bool{Charge: true, Refund: true, Fee: true, Dispute: true, Payout: true}

// ProviderLine is one line of the provider's settlement report.
type ProviderLine struct {
	Type        Type
	ProviderRef string // the provider's id of the line; unique in a report
	OurRef      string // our order id (charge, fee, dispute), refund id or order id (refund), payout id
	Amount      money.Money
	Fee         int64 // the provider's fee on this line, minor units of Amount's currency
}

// Record is what our ledger recorded for one provider-side event.
type Record struct {
	Type   Type
	Ref    string // our order, refund or payout id
	Parent string // for a refund: its order id (a provider may report refunds by order)
	Amount money.Money
	Fee    int64
}

// Kind is a finding's outcome.
type Kind string

// Outcomes.
const (
	Matched           Kind = "matched"
	MissingInLedger   Kind = "missing_in_ledger"
	MissingAtProvider Kind = "missing_at_provider"
	AmountMismatch    Kind = "amount_mismatch"
	FeeMismatch       Kind = "fee_mismatch"
	CurrencyMismatch  Kind = "currency_mismatch"
	Duplicate         Kind = "duplicate"
)

// Finding is one outcome for one group: the provider lines and ledger
// records of one type and reference (several of either when partial
// refunds are reported or recorded one-to-many).
type Finding struct {
	Kind         Kind     `json:"kind"`
	Type         Type     `json:"type"`
	Ref          string   `json:"ref"`
	ProviderRefs []string `json:"providerRefs,omitempty"`
	LedgerRefs   []string `json:"ledgerRefs,omitempty"`
	Currency     string   `json:"currency"` // the provider's currency ("" if missing there)
	Provider     int64    `json:"provider"` // provider amount (sum over the group)
	Ledger       int64    `json:"ledger"`   // ledger amount (sum over the group)
	ProviderFee  int64    `json:"providerFee"`
	LedgerFee    int64    `json:"ledgerFee"`
}

// Options tune matching.
type Options struct {
	// Tolerance is the largest difference, in minor units, between amounts
	// (and between fees) still counted as equal: FX rounding at the provider.
	Tolerance int64
}

// Result lists the matches and the discrepancies, each sorted by type,
// reference, kind and provider references.
type Result struct {
	Matches  []Finding
	Findings []Finding
}

type group struct {
	lines   []ProviderLine
	records []Record
}

type key struct {
	t   Type
	ref string
}

// Match reconciles a provider report against our records.
//
// Provider lines are grouped by (type, our ref) and records by (type,
// ref); a group compares sums, so one charge against several partial
// refunds matches whether the provider reports each refund by refund id or
// all of them under the order id (then matched against our refunds whose
// Parent is that order). A provider line whose ProviderRef was already
// seen is a Duplicate and takes no further part.
//
// Returns ErrInvalid for an unknown type, an empty reference or an
// unsupported currency, or a negative tolerance.
func Match(lines []ProviderLine, records []Record, opt Options) (Result, error) {
	if opt.Tolerance < 0 {
		return Result{}, fmt.Errorf("%w: negative tolerance %d", ErrInvalid, opt.Tolerance)
	}
	var res Result
	groups := map[key]*group{}
	get := func(k key) *group {
		g := groups[k]
		if g == nil {
			g = &group{}
			groups[k] = g
		}
		return g
	}
	seen := map[string]bool{}
	for i, l := range lines {
		if !types[l.Type] || l.ProviderRef == "" || l.OurRef == "" {
			return Result{}, fmt.Errorf("%w: provider line %d: type %q, provider ref %q, our ref %q", ErrInvalid, i, l.Type, l.ProviderRef, l.OurRef)
		}
		if _, ok := money.Exponent(l.Amount.Currency); !ok {
			return Result{}, fmt.Errorf("%w: provider line %s: currency %q", ErrInvalid, l.ProviderRef, l.Amount.Currency)
		}
		if seen[l.ProviderRef] {
			res.Findings = append(res.Findings, Finding{Kind: Duplicate, Type: l.Type, Ref: l.OurRef, ProviderRefs: []string{l.ProviderRef},
				Currency: l.Amount.Currency, Provider: l.Amount.Amount, ProviderFee: l.Fee})
			continue
		}
		seen[l.ProviderRef] = true
		get(key{l.Type, l.OurRef}).lines = append(get(key{l.Type, l.OurRef}).lines, l)
	}
	parents := map[string][]Record{} // refunds by order, for reports that give the order id
	for i, r := range records {
		if !types[r.Type] || r.Ref == "" {
			return Result{}, fmt.Errorf("%w: record %d: type %q, ref %q", ErrInvalid, i, r.Type, r.Ref)
		}
		if _, ok := money.Exponent(r.Amount.Currency); !ok {
			return Result{}, fmt.Errorf("%w: record %s: currency %q", ErrInvalid, r.Ref, r.Amount.Currency)
		}
		g := get(key{r.Type, r.Ref})
		g.records = append(g.records, r)
		if r.Type == Refund && r.Parent != "" {
			parents[r.Parent] = append(parents[r.Parent], r)
		}
	}
	// Refund lines reported under an order id: take that order's refunds
	// from the groups where nothing at the provider claimed them.
	for k, g := range groups {
		if k.t != Refund || len(g.records) > 0 || len(g.lines) == 0 {
			continue
		}
		for _, r := range parents[k.ref] {
			rg := groups[key{Refund, r.Ref}]
			if len(rg.lines) == 0 && len(rg.records) > 0 {
				g.records = append(g.records, rg.records...)
				rg.records = nil
			}
		}
	}
	for k, g := range groups {
		if len(g.lines) == 0 && len(g.records) == 0 {
			continue
		}
		f := compare(k, g, opt.Tolerance)
		if f.Kind == Matched {
			res.Matches = append(res.Matches, f)
		} else {
			res.Findings = append(res.Findings, f)
		}
	}
	sortFindings(res.Matches)
	sortFindings(res.Findings)
	return res, nil
}

func compare(k key, g *group, tol int64) Finding {
	f := Finding{Type: k.t, Ref: k.ref}
	pcur, lcur := "", ""
	mixed := false
	for _, l := range g.lines {
		f.ProviderRefs = append(f.ProviderRefs, l.ProviderRef)
		f.Provider += l.Amount.Amount
		f.ProviderFee += l.Fee
		mixed = mixed || (pcur != "" && pcur != l.Amount.Currency)
		pcur = l.Amount.Currency
	}
	for _, r := range g.records {
		f.LedgerRefs = append(f.LedgerRefs, r.Ref)
		f.Ledger += r.Amount.Amount
		f.LedgerFee += r.Fee
		mixed = mixed || (lcur != "" && lcur != r.Amount.Currency)
		lcur = r.Amount.Currency
	}
	slices.Sort(f.ProviderRefs)
	slices.Sort(f.LedgerRefs)
	f.Currency = pcur
	switch {
	case len(g.records) == 0:
		f.Kind = MissingInLedger
	case len(g.lines) == 0:
		f.Kind = MissingAtProvider
		f.Currency = lcur
	case mixed || pcur != lcur:
		f.Kind = CurrencyMismatch
	case abs(f.Provider-f.Ledger) > tol:
		f.Kind = AmountMismatch
	case abs(f.ProviderFee-f.LedgerFee) > tol:
		f.Kind = FeeMismatch
	default:
		f.Kind = Matched
	}
	return f
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func sortFindings(fs []Finding) {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Ref, b.Ref), cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(strings.Join(a.ProviderRefs, ","), strings.Join(b.ProviderRefs, ",")))
	})
}
