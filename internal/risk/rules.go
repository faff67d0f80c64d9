package risk

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Rules are the limits an operator sets for all merchants (scope
// "global") or for one merchant. Zero means no limit. An order is held to
// the strictest of the global rules and those of each merchant it buys
// from (Merge).
type Rules struct {
	// MaxOrders blocks a shopper's order beyond this many placed orders in
	// the window ("10m", "1h", "24h").
	MaxOrders map[string]int `json:"maxOrders,omitempty"`
	// MaxFailures blocks a shopper's order beyond this many failed payments
	// in the window (card testing).
	MaxFailures map[string]int `json:"maxFailures,omitempty"`
	// MaxAddresses sends to review an order that takes the shopper beyond
	// this many distinct shipping addresses.
	MaxAddresses int `json:"maxAddresses,omitempty"`
	// ReviewAmount sends to review, and MaxAmount blocks, an order whose
	// total reaches this many minor units of its currency (by ISO code).
	ReviewAmount map[string]int64 `json:"reviewAmount,omitempty"`
	MaxAmount    map[string]int64 `json:"maxAmount,omitempty"`
	// ResaleCategories and ResaleSKUs are hot or resale-prone goods: their
	// share of an order is a feature of the score.
	ResaleCategories []string `json:"resaleCategories,omitempty"`
	ResaleSKUs       []string `json:"resaleSkus,omitempty"`
	// Thresholds, when set, replace the model's.
	Thresholds *Thresholds `json:"thresholds,omitempty"`
	// TimeZone is where "night" is reckoned (IANA name; default Asia/Shanghai).
	TimeZone string `json:"timeZone,omitempty"`
	// UpdatedAt and UpdatedBy say who last set them.
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	UpdatedBy string    `json:"updatedBy,omitempty"`
}

// Validate checks the rules' shape, naming the field at fault.
func (r Rules) Validate() error {
	for field, m := range map[string]map[string]int{"maxOrders": r.MaxOrders, "maxFailures": r.MaxFailures} {
		for w, n := range m {
			if !slices.Contains(windowNames[:], w) {
				return problem.Field(field+"."+w, fmt.Sprintf("window %q is not one of 10m, 1h, 24h", w))
			}
			if n < 0 || n > 100000 {
				return problem.Field(field+"."+w, "a limit is from 0 (none) to 100000")
			}
		}
	}
	if r.MaxAddresses < 0 || r.MaxAddresses > 1000 {
		return problem.Field("maxAddresses", "maxAddresses is from 0 (none) to 1000")
	}
	for field, m := range map[string]map[string]int64{"reviewAmount": r.ReviewAmount, "maxAmount": r.MaxAmount} {
		for cur, v := range m {
			if _, ok := money.Exponent(cur); !ok {
				return problem.Field(field+"."+cur, "currency must be a supported ISO 4217 code such as CNY")
			}
			if v < 0 || v > money.MaxAmount {
				return problem.Field(field+"."+cur, fmt.Sprintf("an amount is from 0 (none) to %d minor units", money.MaxAmount))
			}
		}
	}
	if len(r.ResaleCategories)+len(r.ResaleSKUs) > 500 {
		return problem.Field("resaleCategories", "at most 500 resale categories and SKUs together")
	}
	for i, s := range append(slices.Clone(r.ResaleCategories), r.ResaleSKUs...) {
		if s == "" || len(s) > 100 {
			return problem.Field(fmt.Sprintf("resale[%d]", i), "a category or SKU is 1 to 100 characters")
		}
	}
	if t := r.Thresholds; t != nil && !(t.Review > 0 && t.Review <= t.Block && t.Block <= 1) {
		return problem.Field("thresholds", "thresholds want 0 < review ≤ block ≤ 1")
	}
	if r.TimeZone != "" {
		if _, err := time.LoadLocation(r.TimeZone); err != nil {
			return problem.Field("timeZone", "timeZone must be an IANA time zone such as Asia/Shanghai")
		}
	}
	return nil
}

// Merge returns the strictest combination of rule sets: the lowest
// non-zero limit of each, every resale category and SKU, the lowest
// thresholds, the first time zone set.
func Merge(sets ...Rules) Rules {
	var out Rules
	lower := func(a, b int) int {
		if a == 0 || (b != 0 && b < a) {
			return b
		}
		return a
	}
	lowerMap := func(dst map[string]int, src map[string]int) map[string]int {
		for k, v := range src {
			if dst == nil {
				dst = map[string]int{}
			}
			dst[k] = lower(dst[k], v)
		}
		return dst
	}
	lowerAmt := func(dst map[string]int64, src map[string]int64) map[string]int64 {
		for k, v := range src {
			if dst == nil {
				dst = map[string]int64{}
			}
			if cur := dst[k]; cur == 0 || (v != 0 && v < cur) {
				dst[k] = v
			}
		}
		return dst
	}
	for _, r := range sets {
		out.MaxOrders = lowerMap(out.MaxOrders, r.MaxOrders)
		out.MaxFailures = lowerMap(out.MaxFailures, r.MaxFailures)
		out.MaxAddresses = lower(out.MaxAddresses, r.MaxAddresses)
		out.ReviewAmount = lowerAmt(out.ReviewAmount, r.ReviewAmount)
		out.MaxAmount = lowerAmt(out.MaxAmount, r.MaxAmount)
		out.ResaleCategories = append(out.ResaleCategories, r.ResaleCategories...)
		out.ResaleSKUs = append(out.ResaleSKUs, r.ResaleSKUs...)
		if t := r.Thresholds; t != nil {
			if out.Thresholds == nil {
				c := *t
				out.Thresholds = &c
			} else {
				out.Thresholds.Review = min(out.Thresholds.Review, t.Review)
				out.Thresholds.Block = min(out.Thresholds.Block, t.Block)
			}
		}
		if out.TimeZone == "" {
			out.TimeZone = r.TimeZone
		}
	}
	return out
}

// Decision is what risk control says of an order.
type Decision string

// Decisions.
const (
	Allow  Decision = "allow"
	Review Decision = "review"
	Block  Decision = "block"
)

// Block list kinds.
const (
	BlockShopper = "shopper"
	BlockAddress = "address"
	BlockDevice  = "device"
)

// BlockKinds are the kinds of block list entries.
var BlockKinds = []string{BlockShopper, BlockAddress, BlockDevice}

// Assessment is the decision on one order and why; it is recorded on the
// order (blocked orders are not placed: it is logged).
type Assessment struct {
	Decision     Decision `json:"decision"`
	Score        float64  `json:"score"`
	ModelVersion string   `json:"modelVersion"`
	// Rules are the rules that fired ("blocklist.shopper",
	// "velocity.orders.10m", "amount.review", "score.review", …).
	Rules []string `json:"rules"`
	// Features are the score's inputs, by name.
	Features map[string]float64 `json:"features,omitempty"`
}

// Scorer decides orders with a model.
type Scorer struct {
	model *Model
	pos   []int
	// DefaultZone is where night is reckoned when the rules name no zone.
	DefaultZone *time.Location
	zones       sync.Map // IANA name → *time.Location
}

// NewScorer returns a scorer over m. Returns ErrBadModel when m uses a
// feature Compute does not produce.
func NewScorer(m *Model) (*Scorer, error) {
	pos, err := m.Bind(FeatureNames)
	if err != nil {
		return nil, err
	}
	zone, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		zone = time.FixedZone("CST", 8*3600)
	}
	return &Scorer{model: m, pos: pos, DefaultZone: zone}, nil
}

// Model is the scorer's model.
func (s *Scorer) Model() *Model { return s.model }

// Decide applies the rules, then the score: a block-list hit, a velocity
// limit or an amount ceiling blocks; too many addresses or a review amount
// sends to review; then the score against the thresholds (the rules' if
// set, else the model's). blocked lists the block-list kinds the order hit.
func (s *Scorer) Decide(in Input, h History, rules Rules, blocked []string) Assessment {
	loc := s.DefaultZone
	if z := rules.TimeZone; z != "" {
		if l, ok := s.zones.Load(z); ok {
			loc = l.(*time.Location)
		} else if l, err := time.LoadLocation(z); err == nil {
			s.zones.Store(z, l)
			loc = l
		}
	}
	x := Compute(in, h, rules.Resale, loc)
	mx := make([]float64, len(s.pos))
	for j, i := range s.pos {
		mx[j] = x[i]
	}
	a := Assessment{Decision: Allow, Score: s.model.Score(mx), ModelVersion: s.model.Version, Rules: []string{},
		Features: make(map[string]float64, len(x))}
	for i, n := range FeatureNames {
		a.Features[n] = x[i]
	}
	escalate := func(d Decision, rule string) {
		a.Rules = append(a.Rules, rule)
		if d == Block || (d == Review && a.Decision == Allow) {
			a.Decision = d
		}
	}
	for _, k := range blocked {
		escalate(Block, "blocklist."+k)
	}
	for w := range nWindows {
		if n := rules.MaxOrders[w.String()]; n > 0 && h.Orders[w]+1 > float64(n) {
			escalate(Block, "velocity.orders."+w.String())
		}
		if n := rules.MaxFailures[w.String()]; n > 0 && h.Failures[w] >= float64(n) {
			escalate(Block, "velocity.failures."+w.String())
		}
	}
	if v := rules.MaxAmount[in.Currency]; v > 0 && in.Amount >= v {
		escalate(Block, "amount.max")
	}
	if v := rules.ReviewAmount[in.Currency]; v > 0 && in.Amount >= v {
		escalate(Review, "amount.review")
	}
	if n := rules.MaxAddresses; n > 0 && a.Features["addresses"] > float64(n) {
		escalate(Review, "addresses.max")
	}
	th := s.model.Thresholds
	if rules.Thresholds != nil {
		th = *rules.Thresholds
	}
	switch {
	case a.Score >= th.Block:
		escalate(Block, "score.block")
	case a.Score >= th.Review:
		escalate(Review, "score.review")
	}
	return a
}

// Reason is the generic code a blocked shopper is told: never which rule.
const Reason = "risk_declined"

// String is a short summary for logs.
func (a Assessment) String() string {
	return fmt.Sprintf("%s score=%.4f model=%s rules=%s", a.Decision, a.Score, a.ModelVersion, strings.Join(a.Rules, ","))
}
