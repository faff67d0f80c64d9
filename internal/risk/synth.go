package risk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// DefaultRules are the global rules in force until an operator sets others.
func DefaultRules() Rules {
	return Rules{
		MaxFailures:      map[string]int{"10m": 5, "1h": 10},
		MaxOrders:        map[string]int{"10m": 10},
		ResaleCategories: []string{"electronics", "beauty"},
		TimeZone:         "Asia/Shanghai",
	}
}

// Pattern is the kind of shopper behind a synthetic order.
type Pattern string

// The synthetic patterns: legitimate shoppers (some of them bulk buyers
// and night owls, so fraud-like signals are not labels), and three fraud
// patterns.
const (
	Legit       Pattern = "legit"
	CardTesting Pattern = "card_testing" // bursts of small orders and failed payments from young accounts
	Takeover    Pattern = "takeover"     // an old account ships to a new address, far above its usual amount
	ResaleSweep Pattern = "resale_sweep" // many units of hot, resale-prone SKUs, order after order
)

// Synthetic is one generated order: what checkout would see, and its label.
type Synthetic struct {
	Pattern Pattern
	Fraud   bool
	Input   Input
	History History
}

// Generate makes n labelled orders from seed, about fraudRate of them
// fraudulent, deterministically (the same seed gives the same orders).
// Labels are noisy as real ones are: a share of pattern orders turn out
// legitimate and a few legitimate ones are charged back.
func Generate(seed uint64, n int, fraudRate float64) []Synthetic {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	base := time.Date(2025, 1, 6, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	out := make([]Synthetic, n)
	for i := range out {
		at := base.Add(time.Duration(rng.Float64() * float64(60*24*time.Hour)))
		p := Legit
		if rng.Float64() < fraudRate {
			p = []Pattern{CardTesting, Takeover, ResaleSweep}[rng.IntN(3)]
		}
		s := synth(rng, p, at, i)
		s.Fraud = p != Legit
		// Label noise: 8% of pattern orders are legitimate after all, 0.3%
		// of legitimate orders end in a chargeback.
		if s.Fraud && rng.Float64() < 0.08 || !s.Fraud && rng.Float64() < 0.003 {
			s.Fraud = !s.Fraud
		}
		out[i] = s
	}
	return out
}

func synth(rng *rand.Rand, p Pattern, at time.Time, i int) Synthetic {
	poisson := func(mean float64) float64 {
		// Knuth's method; means here are small.
		l, k, prod := math.Exp(-mean), 0.0, rng.Float64()
		for prod > l {
			k++
			prod *= rng.Float64()
		}
		return k
	}
	lognormal := func(mu, sigma float64) int64 { return int64(math.Exp(mu + sigma*rng.NormFloat64())) }
	s := Synthetic{Pattern: p}
	in := Input{CustomerID: fmt.Sprintf("shopper-%d", i), Currency: "CNY", Exponent: 2, At: at, DeviceID: "dev"}
	h := History{}
	categories := []string{"tea", "coffee", "apparel", "electronics", "beauty", "home", "snacks", "books"}
	addLines := func(lines int, maxQty int, resaleBias float64, unitMu float64) {
		for range lines {
			cat := categories[rng.IntN(len(categories))]
			if rng.Float64() < resaleBias {
				cat = []string{"electronics", "beauty"}[rng.IntN(2)]
			}
			q := int64(1 + rng.IntN(maxQty))
			unit := lognormal(unitMu, 0.7)
			in.Lines = append(in.Lines, Line{SKUID: "sku", Category: cat, Quantity: q, Total: unit * q})
			in.Amount += unit * q
		}
	}
	// hour draws a local hour, day-heavy unless nightly.
	hour := func(nightly float64) {
		h := 8 + rng.IntN(16)
		if rng.Float64() < nightly {
			h = rng.IntN(6)
		}
		d := at
		in.At = time.Date(d.Year(), d.Month(), d.Day(), h, rng.IntN(60), 0, 0, d.Location())
	}
	switch p {
	case Legit:
		h.PriorOrders = int64(rng.ExpFloat64() * 8)
		if h.PriorOrders > 0 {
			h.FirstOrderAt = at.Add(-time.Duration(1+rng.ExpFloat64()*200) * 24 * time.Hour)
			h.PriorAmount = h.PriorOrders * lognormal(9.5, 0.6)
			h.Addresses = 1 + int(poisson(0.3))
			h.KnownAddress = rng.Float64() < 0.9
		}
		h.Orders = windows(poisson(0.05), poisson(0.2), poisson(0.6))
		h.Failures = windows(poisson(0.02), poisson(0.05), poisson(0.1))
		maxQty := 3
		if rng.Float64() < 0.05 { // bulk buyers: offices, shops
			maxQty = 30
		}
		addLines(1+rng.IntN(3), maxQty, 0.15, 8.5)
		in.Pickup = rng.Float64() < 0.25
		hour(0.06)
		if rng.Float64() < 0.1 {
			in.DeviceID = ""
		}
	case CardTesting:
		if rng.Float64() < 0.6 {
			h.PriorOrders = int64(poisson(1))
			h.FirstOrderAt = at.Add(-time.Duration(rng.Float64()*3*float64(24*time.Hour)) - time.Minute)
			h.PriorAmount = h.PriorOrders * lognormal(7, 0.5)
		}
		f := 1 + poisson(4)
		h.Failures = windows(f, f+poisson(2), f+poisson(4))
		o := poisson(2)
		h.Orders = windows(o, o+poisson(1), o+poisson(2))
		h.Addresses = int(poisson(1))
		addLines(1, 2, 0.3, 7)
		in.Pickup = rng.Float64() < 0.1
		hour(0.35)
		if rng.Float64() < 0.5 {
			in.DeviceID = ""
		}
	case Takeover:
		h.PriorOrders = 2 + int64(rng.ExpFloat64()*10)
		h.FirstOrderAt = at.Add(-time.Duration(30+rng.ExpFloat64()*300) * 24 * time.Hour)
		h.PriorAmount = h.PriorOrders * lognormal(9.3, 0.5)
		h.Addresses = 1 + int(poisson(0.5))
		h.KnownAddress = rng.Float64() < 0.15
		h.Orders = windows(poisson(0.3), poisson(0.8), poisson(1.5))
		h.Failures = windows(poisson(0.2), poisson(0.5), poisson(0.8))
		addLines(1+rng.IntN(3), 3, 0.5, 10.5)
		hour(0.25)
		if rng.Float64() < 0.3 {
			in.DeviceID = ""
		}
	case ResaleSweep:
		if rng.Float64() < 0.7 {
			h.PriorOrders = int64(poisson(2))
			h.FirstOrderAt = at.Add(-time.Duration(rng.ExpFloat64()*20*float64(24*time.Hour)) - time.Minute)
			h.PriorAmount = h.PriorOrders * lognormal(10, 0.6)
		}
		o := poisson(1.5)
		h.Orders = windows(o, o+poisson(2), o+poisson(5))
		h.Failures = windows(poisson(0.1), poisson(0.3), poisson(0.5))
		h.Addresses = 1 + int(poisson(1.5))
		h.KnownAddress = rng.Float64() < 0.4
		addLines(1+rng.IntN(2), 20, 0.85, 9.5)
		hour(0.15)
	}
	if !in.Pickup {
		in.AddressKey = "addr"
	}
	s.Input, s.History = in, h
	return s
}

// windows makes nested window counts (each window holds the shorter ones).
func windows(a, b, c float64) [nWindows]float64 {
	return [nWindows]float64{a, max(a, b), max(a, b, c)}
}

// SyntheticDataset turns generated orders into a labelled dataset of
// FeatureNames under rules (DefaultRules for the demo model).
func SyntheticDataset(orders []Synthetic, rules Rules) Dataset {
	loc, err := time.LoadLocation(rules.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	d := Dataset{Features: FeatureNames}
	for _, o := range orders {
		d.X = append(d.X, Compute(o.Input, o.History, rules.Resale, loc))
		d.Y = append(d.Y, flag(o.Fraud))
	}
	return d
}

// The demo model's recipe: `go run ./cmd/risk demo-model` trains it into
// model/default.json, and a test checks the shipped file is what the recipe
// gives.
const (
	DemoVersion     = "demo-2025.1"
	DemoTrainSeed   = 1
	DemoHoldoutSeed = 2
	DemoTrainN      = 20000
	DemoHoldoutN    = 10000
	DemoFraudRate   = 0.05
	DemoL2          = 1.0
)

// DemoThresholds are the demo model's deployed thresholds.
var DemoThresholds = Thresholds{Review: 0.5, Block: 0.9}

// TrainDemo trains the demo model from its seeded synthetic orders.
func TrainDemo() (*Model, error) {
	d := SyntheticDataset(Generate(DemoTrainSeed, DemoTrainN, DemoFraudRate), DefaultRules())
	f, err := FitLogistic(d.Features, d.X, d.Y, FitOptions{L2: DemoL2})
	if err != nil {
		return nil, fmt.Errorf("train demo model: %w", err)
	}
	return NewModel(DemoVersion, "fraud", f, DemoL2, DemoThresholds), nil
}

// DemoHoldout is the demo model's held-out seeded set.
func DemoHoldout() Dataset {
	return SyntheticDataset(Generate(DemoHoldoutSeed, DemoHoldoutN, DemoFraudRate), DefaultRules())
}
