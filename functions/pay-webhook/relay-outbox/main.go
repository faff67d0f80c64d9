// Command relay-outbox runs on a schedule and sends outbox events that were not sent right after their commit.
package main

import (
	"github.com/jiaoyi-dev/jiaoyi/internal/lambdafn"
	"github.com/jiaoyi-dev/jiaoyi/internal/payapi"
)

func main() { lambdafn.Scheduled("pay-webhook/relay-outbox", payapi.NewRelayOutbox) }
