package ledger

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
)

// DB is the part of the DynamoDB client the ledger uses.
type DB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	TransactGetItems(context.Context, *dynamodb.TransactGetItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error)
}

// Ledger is the book in one DynamoDB table (resource.Ledger).
type Ledger struct {
	db    DB
	table string
	// Now is the clock that timestamps transfers; it must be safe for
	// concurrent use.
	Now func() time.Time
	// Attempts bounds the tries of a posting under contention (default 6).
	Attempts int
	// SnapshotSize is how many accounts TrialBalance reads in one
	// TransactGetItems: 100 on AWS (the default); the pinned emulator
	// still enforces the old limit of 25.
	SnapshotSize int
}

// New returns the ledger kept in table.
func New(db DB, table string) *Ledger {
	return &Ledger{db: db, table: table, Now: time.Now, Attempts: 6, SnapshotSize: 100}
}

const stampLayout = "2006-01-02T15:04:05.000000000Z"

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func accountKey(currency, id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": s("ACCT#" + currency + "#" + id), "sk": s("ACCT")}
}

func transferKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": s("XFER#" + id), "sk": s("XFER")}
}

// CreateAccount creates a, with zero balances. Creating the same account
// again returns Exists; an account of that id and currency with another
// kind, merchant or flags returns ErrExistsWithDifferent.
func (l *Ledger) CreateAccount(ctx context.Context, a Account) (Outcome, error) {
	if err := a.validate(); err != nil {
		return 0, err
	}
	item := accountKey(a.Currency, a.ID)
	item["id"], item["cur"], item["kind"], item["dp"], item["cp"], item["net"] = s(a.ID), s(a.Currency), s(string(a.Kind)), n(0), n(0), n(0)
	if a.Merchant != "" {
		item["merchant"] = s(a.Merchant)
	}
	// The flags live on the item so the posting's condition reads them.
	if a.Flags.DebitsMustNotExceedCredits {
		item["dmnec"] = &types.AttributeValueMemberBOOL{Value: true}
	}
	if a.Flags.CreditsMustNotExceedDebits {
		item["cmned"] = &types.AttributeValueMemberBOOL{Value: true}
	}
	// The account and its line in the currency's register (which
	// TrialBalance reads) are written together.
	reg := map[string]types.AttributeValue{"pk": s("ACCTS#" + a.Currency), "sk": s(a.ID), "id": s(a.ID)}
	err := l.transact(ctx, []types.TransactWriteItem{
		{Put: &types.Put{TableName: &l.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Put: &types.Put{TableName: &l.table, Item: reg}},
	})
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) && len(tce.CancellationReasons) > 0 && dynamo.Code(tce.CancellationReasons[0]) == "ConditionalCheckFailed" {
		got, gerr := l.Account(ctx, a.Currency, a.ID)
		if gerr != nil {
			return 0, fmt.Errorf("create account %s: read existing: %w", a.ID, gerr)
		}
		if got.Kind != a.Kind || got.Merchant != a.Merchant || got.Flags != a.Flags {
			return 0, fmt.Errorf("%w: account %s %s", ErrExistsWithDifferent, a.Currency, a.ID)
		}
		return Exists, nil
	}
	if err != nil {
		return 0, fmt.Errorf("create account %s: %w", a.ID, err)
	}
	return Created, nil
}

// Account reads an account with a strongly consistent read. Returns
// ErrAccountNotFound if there is none.
func (l *Ledger) Account(ctx context.Context, currency, id string) (Account, error) {
	out, err := l.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &l.table, Key: accountKey(currency, id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Account{}, fmt.Errorf("read account %s: %w", id, err)
	}
	if out.Item == nil {
		return Account{}, fmt.Errorf("%w: %s %s", ErrAccountNotFound, currency, id)
	}
	return decodeAccount(out.Item)
}

func decodeAccount(item map[string]types.AttributeValue) (Account, error) {
	a := Account{ID: str(item, "id"), Currency: str(item, "cur"), Kind: Kind(str(item, "kind")), Merchant: str(item, "merchant")}
	a.Flags.DebitsMustNotExceedCredits = boolean(item, "dmnec")
	a.Flags.CreditsMustNotExceedDebits = boolean(item, "cmned")
	var err1, err2 error
	a.DebitsPosted, err1 = num(item, "dp")
	a.CreditsPosted, err2 = num(item, "cp")
	if err := errors.Join(err1, err2); err != nil {
		return Account{}, fmt.Errorf("decode account %s: %w", a.ID, err)
	}
	return a, nil
}

func str(item map[string]types.AttributeValue, k string) string {
	if v, ok := item[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func boolean(item map[string]types.AttributeValue, k string) bool {
	v, ok := item[k].(*types.AttributeValueMemberBOOL)
	return ok && v.Value
}

func num(item map[string]types.AttributeValue, k string) (int64, error) {
	v, ok := item[k].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("attribute %s missing", k)
	}
	return strconv.ParseInt(v.Value, 10, 64)
}

// Post writes the posting's transfers and their effect on every account
// they touch, all or nothing. Posting the same transfers again (same ids,
// same fields) returns Exists and changes nothing.
//
// Returns ErrInvalid for a malformed posting (more than MaxTransfers
// transfers among them), ErrExistsWithDifferent if any transfer id is
// taken by another transfer (or by the same one in another posting),
// ErrAccountNotFound, ErrExceedsCredits / ErrExceedsDebits if an account's
// flags would be broken, and ErrBusy if it kept conflicting.
func (l *Ledger) Post(ctx context.Context, p Posting) (Outcome, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	items, accounts := l.postingItems(p, l.Now().UTC())
	err := l.transact(ctx, items)
	if err == nil {
		return Created, nil
	}
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return 0, fmt.Errorf("post %s: %w", p.ID, err)
	}
	reasons := tce.CancellationReasons
	// Transfers that already exist decide first: exists or exists-with-different.
	for i := len(accounts); i < len(reasons) && i < len(items); i++ {
		if dynamo.Code(reasons[i]) == "ConditionalCheckFailed" {
			return l.compareExisting(ctx, p)
		}
	}
	for i := 0; i < len(accounts) && i < len(reasons); i++ {
		if dynamo.Code(reasons[i]) != "ConditionalCheckFailed" {
			continue
		}
		acc := accounts[i]
		old := reasons[i].Item
		switch {
		case old == nil || str(old, "cur") != acc.currency:
			return 0, fmt.Errorf("%w: %s %s (posting %s)", ErrAccountNotFound, acc.currency, acc.id, p.ID)
		case boolean(old, "dmnec"):
			return 0, fmt.Errorf("%w: account %s, posting %s", ErrExceedsCredits, acc.id, p.ID)
		default:
			return 0, fmt.Errorf("%w: account %s, posting %s", ErrExceedsDebits, acc.id, p.ID)
		}
	}
	return 0, fmt.Errorf("post %s: %w", p.ID, err)
}

// compareExisting decides, after a transfer put failed its condition,
// whether the whole posting is already there unchanged.
func (l *Ledger) compareExisting(ctx context.Context, p Posting) (Outcome, error) {
	for _, t := range p.Transfers {
		got, err := l.Transfer(ctx, t.ID)
		if errors.Is(err, ErrNotFound) {
			return 0, fmt.Errorf("%w: posting %s: transfer %s is new but others exist", ErrExistsWithDifferent, p.ID, t.ID)
		}
		if err != nil {
			return 0, fmt.Errorf("post %s: %w", p.ID, err)
		}
		if !got.same(t) {
			return 0, fmt.Errorf("%w: transfer %s", ErrExistsWithDifferent, t.ID)
		}
	}
	return Exists, nil
}

type accountRef struct{ currency, id string }

// postingItems builds the transaction: first one update per account (in
// account id order), then per transfer its record and its two entries.
func (l *Ledger) postingItems(p Posting, now time.Time) ([]types.TransactWriteItem, []accountRef) {
	cur := p.Transfers[0].Currency
	type delta struct{ d, c int64 }
	deltas := map[string]*delta{}
	for _, t := range p.Transfers {
		for _, id := range []string{t.Debit, t.Credit} {
			if deltas[id] == nil {
				deltas[id] = &delta{}
			}
		}
		deltas[t.Debit].d += t.Amount
		deltas[t.Credit].c += t.Amount
	}
	ids := make([]string, 0, len(deltas))
	for id := range deltas {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	items := make([]types.TransactWriteItem, 0, len(ids)+3*len(p.Transfers))
	accounts := make([]accountRef, 0, len(ids))
	for _, id := range ids {
		d := deltas[id]
		// net = credits − debits. DebitsMustNotExceedCredits holds after
		// the posting iff net_before ≥ d − c; CreditsMustNotExceedDebits iff
		// net_before ≤ d − c. DynamoDB conditions cannot add, so the item
		// keeps net beside the totals, and all three move by ADD.
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:        &l.table,
			Key:              accountKey(cur, id),
			UpdateExpression: aws.String("ADD dp :d, cp :c, net :net"),
			ConditionExpression: aws.String("attribute_exists(pk) AND cur = :cur" +
				" AND (attribute_not_exists(dmnec) OR net >= :need)" +
				" AND (attribute_not_exists(cmned) OR net <= :need)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":d": n(d.d), ":c": n(d.c), ":net": n(d.c - d.d), ":need": n(d.d - d.c), ":cur": s(cur)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}})
		accounts = append(accounts, accountRef{cur, id})
	}
	stamp := now.Format(stampLayout)
	for _, t := range p.Transfers {
		rec := transferKey(t.ID)
		fields := transferFields(t, stamp)
		for k, v := range fields {
			rec[k] = v
		}
		rec["gsi1pk"], rec["gsi1sk"] = s("DAY#"+cur+"#"+t.Day), s(stamp+"#"+t.ID)
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &l.table, Item: rec,
			ConditionExpression: aws.String("attribute_not_exists(pk)")}})
		for _, side := range []struct{ acct, side string }{{t.Debit, "D"}, {t.Credit, "C"}} {
			e := map[string]types.AttributeValue{"pk": s("ACCT#" + cur + "#" + side.acct), "sk": s("E#" + stamp + "#" + t.ID), "side": s(side.side)}
			for k, v := range fields {
				e[k] = v
			}
			items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &l.table, Item: e}})
		}
	}
	return items, accounts
}

func transferFields(t Transfer, stamp string) map[string]types.AttributeValue {
	f := map[string]types.AttributeValue{"id": s(t.ID), "posting": s(t.PostingID), "dr": s(t.Debit), "cr": s(t.Credit),
		"amt": n(t.Amount), "cur": s(t.Currency), "day": s(t.Day), "ts": s(stamp)}
	if t.Code != "" {
		f["code"] = s(t.Code)
	}
	if t.Ref != "" {
		f["ref"] = s(t.Ref)
	}
	if !t.At.IsZero() {
		f["at"] = s(t.At.UTC().Format(stampLayout))
	}
	return f
}

func decodeTransfer(item map[string]types.AttributeValue) (Transfer, error) {
	t := Transfer{ID: str(item, "id"), PostingID: str(item, "posting"), Debit: str(item, "dr"), Credit: str(item, "cr"),
		Currency: str(item, "cur"), Code: str(item, "code"), Ref: str(item, "ref"), Day: str(item, "day")}
	var err error
	if t.Amount, err = num(item, "amt"); err != nil {
		return Transfer{}, fmt.Errorf("decode transfer %s: %w", t.ID, err)
	}
	if t.Timestamp, err = time.Parse(stampLayout, str(item, "ts")); err != nil {
		return Transfer{}, fmt.Errorf("decode transfer %s: %w", t.ID, err)
	}
	if at := str(item, "at"); at != "" {
		if t.At, err = time.Parse(stampLayout, at); err != nil {
			return Transfer{}, fmt.Errorf("decode transfer %s: %w", t.ID, err)
		}
	}
	return t, nil
}

// transact runs the transaction, retrying TransactionConflict (and
// throttling) cancellations with jittered exponential backoff.
func (l *Ledger) transact(ctx context.Context, items []types.TransactWriteItem) error {
	err := dynamo.TransactTries(ctx, l.db, items, l.Attempts, 10*time.Millisecond)
	if errors.Is(err, dynamo.ErrBusy) {
		return fmt.Errorf("%w: %w", ErrBusy, err)
	}
	return err
}

// Transfer reads a transfer. Returns ErrNotFound if there is none.
func (l *Ledger) Transfer(ctx context.Context, id string) (Transfer, error) {
	out, err := l.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &l.table, Key: transferKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Transfer{}, fmt.Errorf("read transfer %s: %w", id, err)
	}
	if out.Item == nil {
		return Transfer{}, fmt.Errorf("%w: transfer %s", ErrNotFound, id)
	}
	return decodeTransfer(out.Item)
}

// Reverse posts the exact reversal of the given transfers of one posting
// (see Reversal) as one posting "rev:"+postingID, on settlement day. Doing
// it again returns Exists. Returns ErrNotFound for an unknown transfer,
// ErrInvalid if they are of different postings, and Post's errors (a
// reversal may be refused by an account's flags).
func (l *Ledger) Reverse(ctx context.Context, day string, transferIDs ...string) (Outcome, error) {
	if len(transferIDs) == 0 {
		return 0, fmt.Errorf("%w: nothing to reverse", ErrInvalid)
	}
	var p Posting
	for _, id := range transferIDs {
		t, err := l.Transfer(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("reverse: %w", err)
		}
		r := Reversal(t, day)
		if p.ID == "" {
			p.ID = r.PostingID
		}
		p.Transfers = append(p.Transfers, r)
	}
	return l.Post(ctx, p)
}
