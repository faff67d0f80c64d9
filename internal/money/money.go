// Package money is an amount of money: an integer number of minor units of an
// ISO 4217 currency. There are no floats anywhere near money.
package money

import (
	"errors"
	"fmt"
	"math"
)

// MaxAmount bounds any single amount (10^13 minor units: 100 billion yuan),
// well inside int64 so sums of many amounts cannot overflow unnoticed.
const MaxAmount int64 = 10_000_000_000_000

// Money is an amount in minor units (fen for CNY, cents for USD) and its currency.
type Money struct {
	Amount   int64  `json:"amount" dynamodbav:"amount"`
	Currency string `json:"currency" dynamodbav:"currency"`
}

// Errors callers branch on.
var (
	ErrCurrency         = errors.New("money: unsupported currency")
	ErrRange            = errors.New("money: amount out of range")
	ErrCurrencyMismatch = errors.New("money: currencies differ")
)

// minorUnits lists the currencies jiaoyi accepts with their ISO 4217 exponent.
var minorUnits = map[string]int{
	"CNY": 2, "HKD": 2, "TWD": 2, "USD": 2, "EUR": 2, "GBP": 2, "SGD": 2,
	"AUD": 2, "CAD": 2, "CHF": 2, "JPY": 0, "KRW": 0, "MOP": 2, "THB": 2, "MYR": 2,
}

// New returns amount minor units of currency. Returns ErrCurrency for a
// currency outside the supported ISO 4217 list and ErrRange for a negative
// amount or one above MaxAmount.
func New(amount int64, currency string) (Money, error) {
	m := Money{Amount: amount, Currency: currency}
	return m, m.Validate()
}

// Validate reports whether m is a supported currency and in range.
func (m Money) Validate() error {
	if _, ok := minorUnits[m.Currency]; !ok {
		return fmt.Errorf("%w: %q", ErrCurrency, m.Currency)
	}
	if m.Amount < 0 || m.Amount > MaxAmount {
		return fmt.Errorf("%w: %d", ErrRange, m.Amount)
	}
	return nil
}

// Supported returns how many currencies are supported.
func Supported() int { return len(minorUnits) }

// Exponent returns the number of minor-unit digits of currency, and false if
// the currency is not supported.
func Exponent(currency string) (int, bool) {
	e, ok := minorUnits[currency]
	return e, ok
}

// Add returns m+o. Returns ErrCurrencyMismatch or ErrRange.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("%w: %s and %s", ErrCurrencyMismatch, m.Currency, o.Currency)
	}
	sum := m.Amount + o.Amount
	if sum > MaxAmount || sum < 0 {
		return Money{}, fmt.Errorf("%w: %d + %d", ErrRange, m.Amount, o.Amount)
	}
	return Money{Amount: sum, Currency: m.Currency}, nil
}

// Times returns m×n for a non-negative n. Returns ErrRange on overflow.
func (m Money) Times(n int64) (Money, error) {
	if n < 0 || (n > 0 && m.Amount > math.MaxInt64/n) || m.Amount*n > MaxAmount {
		return Money{}, fmt.Errorf("%w: %d × %d", ErrRange, m.Amount, n)
	}
	return Money{Amount: m.Amount * n, Currency: m.Currency}, nil
}

// String formats m for people and logs, e.g. "CNY 12.80".
func (m Money) String() string {
	e, ok := minorUnits[m.Currency]
	if !ok || e == 0 {
		return fmt.Sprintf("%s %d", m.Currency, m.Amount)
	}
	p := int64(math.Pow10(e))
	sign := ""
	a := m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	return fmt.Sprintf("%s %s%d.%0*d", m.Currency, sign, a/p, e, a%p)
}
