package ledger_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/capacity"
	"github.com/jiaoyi-dev/jiaoyi/internal/ledger"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// posting returns the n-th sale of a benchmark: legs 2 is gross to the
// merchant and our fee; legs 3 adds the provider's fee.
func posting(id string, legs int) ledger.Posting {
	p := sale(id, 10000, 300)
	if legs == 3 {
		p.Transfers = append(p.Transfers, ledger.Transfer{ID: id + ".psp", PostingID: id, Debit: string(ledger.ProviderFeeExpense),
			Credit: string(ledger.ProviderClearing), Amount: 60, Currency: "CNY", Code: "psp_fee", Ref: id, Day: "2026-03-10"})
	}
	return p
}

// BenchmarkPost posts sales against the emulator and reports postings/s,
// and for one metered posting the calls and write units it costs on AWS
// (computed from item sizes by internal/capacity, since the emulator
// reports no consumed capacity for transactions): table WRU (transactional,
// ×2) and gsi1 WCU (each transfer record is projected into gsi1; its entry
// there is the item plus 100 bytes).
func BenchmarkPost(b *testing.B) {
	for _, legs := range []int{2, 3} {
		b.Run(fmt.Sprintf("legs=%d", legs), func(b *testing.B) {
			ctx := context.Background()
			meter := capacity.NewMeter()
			l, table := newLedger(b)
			for _, k := range []ledger.Kind{ledger.ProviderClearing, ledger.PlatformFeeRevenue, ledger.ProviderFeeExpense} {
				mustAccount(b, l, k, "")
			}
			mustAccount(b, l, ledger.MerchantPayable, "m1")
			metered := ledger.New(dynamodb.NewFromConfig(awstest.Config(b), func(o *dynamodb.Options) {
				o.APIOptions = append(o.APIOptions, meter.Middleware)
			}), table)
			p := posting("metered", legs)
			if _, err := metered.Post(ctx, p); err != nil {
				b.Fatal(err)
			}
			plain := awstest.DynamoDB(b)
			if err := meter.SizeUpdates(ctx, plain.GetItem); err != nil {
				b.Fatal(err)
			}
			gsi := 0
			for _, t := range p.Transfers {
				out, err := plain.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: map[string]types.AttributeValue{
					"pk": &types.AttributeValueMemberS{Value: "XFER#" + t.ID}, "sk": &types.AttributeValueMemberS{Value: "XFER"}}})
				if err != nil {
					b.Fatal(err)
				}
				gsi += capacity.WriteUnits(capacity.ItemSize(out.Item)+100, false)
			}
			calls := 0
			for _, c := range meter.Calls {
				calls += c
			}
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if _, err := l.Post(ctx, posting(fmt.Sprintf("b%d", i), legs)); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "postings/s")
			b.ReportMetric(meter.WRU, "tableWRU/posting")
			b.ReportMetric(float64(gsi), "gsiWCU/posting")
			b.ReportMetric(float64(calls), "calls/posting")
		})
	}
}
