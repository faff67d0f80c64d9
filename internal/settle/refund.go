package settle

import (
	"fmt"
	"math/big"

	"github.com/jiaoyi-dev/jiaoyi/internal/money"
)

// SplitRefund divides refund across parts (merchants or lines) in
// proportion to each part's refunded basis (for a full refund, the line
// totals; for a partial one, the value of what was returned), by largest
// remainder: the pieces sum exactly to refund, each is within one minor
// unit of its exact share and never above its basis. A refund equal to the
// sum of the bases returns the bases themselves.
//
// Returns ErrInvalid for no parts, mixed currencies, a zero total basis
// with a non-zero refund, or a refund above the total basis.
func SplitRefund(refund money.Money, basis []money.Money) ([]money.Money, error) {
	if len(basis) == 0 {
		return nil, fmt.Errorf("%w: no parts to split a refund across", ErrInvalid)
	}
	if err := refund.Validate(); err != nil {
		return nil, fmt.Errorf("%w: refund: %w", ErrInvalid, err)
	}
	var total int64
	nums := make([]*big.Int, len(basis))
	for i, b := range basis {
		if err := b.Validate(); err != nil {
			return nil, fmt.Errorf("%w: part %d: %w", ErrInvalid, i, err)
		}
		if b.Currency != refund.Currency {
			return nil, fmt.Errorf("%w: part %d in %s, refund in %s", ErrInvalid, i, b.Currency, refund.Currency)
		}
		total += b.Amount
		if total > money.MaxAmount {
			return nil, fmt.Errorf("%w: basis total above %d", ErrInvalid, money.MaxAmount)
		}
		nums[i] = new(big.Int).Mul(big.NewInt(b.Amount), big.NewInt(refund.Amount))
	}
	if refund.Amount > total {
		return nil, fmt.Errorf("%w: refund %d above refundable %d", ErrInvalid, refund.Amount, total)
	}
	out := make([]money.Money, len(basis))
	if refund.Amount == 0 {
		for i := range out {
			out[i] = money.Money{Currency: refund.Currency}
		}
		return out, nil
	}
	per := apportion(refund.Amount, nums, big.NewInt(total))
	for i, a := range per {
		out[i] = money.Money{Amount: a, Currency: refund.Currency}
	}
	return out, nil
}
