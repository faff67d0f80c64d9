package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Entry is one side of a transfer as an account's statement shows it.
type Entry struct {
	Transfer
	// Side is "D" if the account was debited, "C" if credited.
	Side string
}

// Statement returns the account's entries posted in [from, to), oldest
// first, read with a strongly consistent Query on the account's partition.
func (l *Ledger) Statement(ctx context.Context, currency, accountID string, from, to time.Time) ([]Entry, error) {
	in := &dynamodb.QueryInput{
		TableName:              &l.table,
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":   s("ACCT#" + currency + "#" + accountID),
			":from": s("E#" + from.UTC().Format(stampLayout)),
			":to":   s("E#" + to.UTC().Format(stampLayout)), // "E#<to>#id" sorts after ":to": excluded
		},
		ConsistentRead: aws.Bool(true),
	}
	var out []Entry
	err := l.query(ctx, in, func(item map[string]types.AttributeValue) error {
		t, err := decodeTransfer(item)
		if err != nil {
			return err
		}
		out = append(out, Entry{Transfer: t, Side: str(item, "side")})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("statement of %s: %w", accountID, err)
	}
	return out, nil
}

// TransfersByDay returns the transfers of currency whose settlement day is
// day (YYYY-MM-DD), in posting order, from gsi1 (eventually consistent: a
// transfer posted a moment ago may be missing).
func (l *Ledger) TransfersByDay(ctx context.Context, currency, day string) ([]Transfer, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &l.table,
		IndexName:                 aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("DAY#" + currency + "#" + day)},
	}
	var out []Transfer
	err := l.query(ctx, in, func(item map[string]types.AttributeValue) error {
		t, err := decodeTransfer(item)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("transfers of %s %s: %w", currency, day, err)
	}
	return out, nil
}

func (l *Ledger) query(ctx context.Context, in *dynamodb.QueryInput, each func(map[string]types.AttributeValue) error) error {
	p := dynamodb.NewQueryPaginator(l.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, item := range page.Items {
			if err := each(item); err != nil {
				return err
			}
		}
	}
	return nil
}

// Balance is a trial balance of one currency.
type Balance struct {
	Currency           string
	Accounts           []Account
	Debits, Credits    int64
	Balanced           bool
	SnapshotConsistent bool // read in one serializable TransactGetItems
}

// TrialBalance reads every account of currency and sums their debits and
// credits; Balanced reports Σ debits = Σ credits.
//
// How it reads: the account ids come from the currency's register, one
// partition (ACCTS#<cur>) written only when an account is created, read
// with a strongly consistent Query, so it touches only the accounts, never
// the transfers a Scan would read (a Scan's cost grows with history, this
// with the number of accounts); the accounts carry no index keys, so a
// posting pays no index writes for them;
// the balances are then read from the table with TransactGetItems,
// SnapshotSize (100) at a time. With at most that many accounts it is one
// serializable snapshot, so the
// proof holds even while postings run (SnapshotConsistent); with more, each
// chunk is a snapshot but the chunks are not one, so a posting between them
// can show a transient imbalance: call it again, or run it when quiet.
func (l *Ledger) TrialBalance(ctx context.Context, currency string) (Balance, error) {
	b := Balance{Currency: currency}
	var ids []string
	err := l.query(ctx, &dynamodb.QueryInput{
		TableName:                 &l.table,
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("ACCTS#" + currency)},
		ProjectionExpression:      aws.String("id"),
		ConsistentRead:            aws.Bool(true),
	}, func(item map[string]types.AttributeValue) error {
		ids = append(ids, str(item, "id"))
		return nil
	})
	if err != nil {
		return Balance{}, fmt.Errorf("trial balance %s: list accounts: %w", currency, err)
	}
	size := min(max(1, l.SnapshotSize), 100)
	for start := 0; start < len(ids); start += size {
		chunk := ids[start:min(start+size, len(ids))]
		gets := make([]types.TransactGetItem, len(chunk))
		for i, id := range chunk {
			gets[i] = types.TransactGetItem{Get: &types.Get{TableName: &l.table, Key: accountKey(currency, id)}}
		}
		out, err := l.db.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: gets})
		if err != nil {
			return Balance{}, fmt.Errorf("trial balance %s: read accounts: %w", currency, err)
		}
		for _, r := range out.Responses {
			if r.Item == nil {
				continue
			}
			a, err := decodeAccount(r.Item)
			if err != nil {
				return Balance{}, err
			}
			b.Accounts = append(b.Accounts, a)
			b.Debits += a.DebitsPosted
			b.Credits += a.CreditsPosted
		}
	}
	b.Balanced = b.Debits == b.Credits
	b.SnapshotConsistent = len(ids) <= size
	return b, nil
}
