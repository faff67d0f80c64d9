package order

import "testing"

// Every pair of return statuses, against the one table.
func TestReturnTransitionsEveryPair(t *testing.T) {
	allowed := map[[2]ReturnStatus]bool{
		{ReturnRequested, ReturnApproved}: true, {ReturnRequested, ReturnRejected}: true, {ReturnApproved, ReturnReceived}: true,
	}
	for _, from := range ReturnStatuses() {
		for _, to := range ReturnStatuses() {
			if got := CanReturnTransition(from, to); got != allowed[[2]ReturnStatus{from, to}] {
				t.Errorf("%s → %s: %v", from, to, got)
			}
		}
	}
}
