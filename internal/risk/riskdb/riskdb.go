// Package riskdb keeps risk control's state in the Analytics table:
// velocity counters, shopper profiles, rules and block lists. Checkout
// reads all it needs of them in one BatchGetItem and adds its counter
// updates to the placement transaction.
//
// Key layout (pk, sk):
//
//	profile    RISK#SHOPPER#<c>          PROFILE                firstAt (if_not_exists), n#<CUR>, sum#<CUR> (ADD), addrs (string set ADD),
//	                                                            orders#<window>#<bucket>, failures#<window>#<bucket> (ADD)
//	rules      RISK#RULES                GLOBAL | MERCHANT#<m>  rules (JSON)
//	block      RISK#BLOCK#<kind>#<value> GLOBAL | MERCHANT#<m>  reason, createdBy, createdAt
//
// Velocity: each window (10 min, 1 h, 24 h) has fixed buckets as long as
// the window; an order adds 1 to the current bucket of each (atomic ADD,
// never read-modify-write), and the count "in the last window" is the
// current bucket plus the previous one weighted by how much of it the
// window still covers (the sliding-window counter estimate). The buckets
// are attributes of the shopper's one profile item, so an order's risk
// bookkeeping is one write of its placement transaction (not one per
// window); the placement that reads buckets older than the previous one
// removes them in the same write.
package riskdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/risk"
)

// DynamoDB is the subset of the client the store calls.
type DynamoDB interface {
	dynamo.BatchGetter
	dynamo.Transactor
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Store reads and writes risk state in the Analytics table.
type Store struct {
	db    DynamoDB
	table string
}

// New returns a Store over the Analytics table.
func New(db DynamoDB, table string) *Store { return &Store{db: db, table: table} }

// Scopes of rules and block entries.
const Global = "GLOBAL"

// MerchantScope is the scope of one merchant's rules and block entries.
func MerchantScope(merchantID string) string { return "MERCHANT#" + merchantID }

func shopperPK(customerID string) string { return "RISK#SHOPPER#" + customerID }

func bucket(w risk.Window, at time.Time) int64 {
	return at.Unix() / int64(risk.Windows[w]/time.Second)
}

// velocityAttr names the counter of kind (orders, failures) in bucket b
// of window w on the profile item.
func velocityAttr(kind string, w risk.Window, b int64) string {
	return kind + "#" + w.String() + "#" + strconv.FormatInt(b, 10)
}

func profileKey(customerID string) map[string]types.AttributeValue {
	return dynamo.Key(shopperPK(customerID), "PROFILE")
}

func rulesKey(scope string) map[string]types.AttributeValue { return dynamo.Key("RISK#RULES", scope) }

func blockKey(kind, value, scope string) map[string]types.AttributeValue {
	return dynamo.Key("RISK#BLOCK#"+kind+"#"+value, scope)
}

// Snapshot is what Load read for one order.
type Snapshot struct {
	History risk.History
	// Rules are the global rules (risk.DefaultRules until set) and each
	// merchant's, merged strictest.
	Rules risk.Rules
	// Blocked lists the block-list kinds the order hit (global or one of
	// its merchants').
	Blocked []string
	// Stale are the profile's velocity buckets older than any window's
	// previous bucket: the order's write removes them.
	Stale []string
}

// Load reads, in one BatchGetItem, what risk needs to decide in: the
// shopper's velocity buckets and profile, the global and merchants'
// rules, and the block entries for the shopper, address and device.
func (s *Store) Load(ctx context.Context, in risk.Input) (Snapshot, error) {
	keys := []map[string]types.AttributeValue{profileKey(in.CustomerID)}
	scopes := []string{Global}
	for _, m := range in.MerchantIDs {
		scopes = append(scopes, MerchantScope(m))
	}
	entries := map[string]string{risk.BlockShopper: in.CustomerID, risk.BlockAddress: in.AddressKey, risk.BlockDevice: in.DeviceID}
	for _, sc := range scopes {
		keys = append(keys, rulesKey(sc))
		for kind, v := range entries {
			if v != "" {
				keys = append(keys, blockKey(kind, v, sc))
			}
		}
	}
	items, err := dynamo.BatchGet(ctx, s.db, s.table, keys, false)
	if err != nil {
		return Snapshot{}, fmt.Errorf("read risk state: %w", err)
	}
	var snap Snapshot
	global, merchants := risk.DefaultRules(), []risk.Rules{}
	blocked := map[string]bool{}
	for _, it := range items {
		pk, sk := str(it, "pk"), str(it, "sk")
		switch {
		case sk == "PROFILE":
			snap.velocity(it, in.At)
			if t, err := time.Parse(time.RFC3339Nano, str(it, "firstAt")); err == nil {
				snap.History.FirstOrderAt = t
			}
			snap.History.PriorOrders = dynamo.Num(it, "n#"+in.Currency)
			snap.History.PriorAmount = dynamo.Num(it, "sum#"+in.Currency)
			if ss, ok := it["addrs"].(*types.AttributeValueMemberSS); ok {
				snap.History.Addresses = len(ss.Value)
				for _, a := range ss.Value {
					snap.History.KnownAddress = snap.History.KnownAddress || (in.AddressKey != "" && a == in.AddressKey)
				}
			}
		case pk == "RISK#RULES":
			var r risk.Rules
			if err := json.Unmarshal([]byte(str(it, "rules")), &r); err != nil {
				return Snapshot{}, fmt.Errorf("decode risk rules %s: %w", sk, err)
			}
			if sk == Global {
				global = r
			} else {
				merchants = append(merchants, r)
			}
		case strings.HasPrefix(pk, "RISK#BLOCK#"):
			blocked[strings.SplitN(strings.TrimPrefix(pk, "RISK#BLOCK#"), "#", 2)[0]] = true
		}
	}
	snap.Rules = risk.Merge(append([]risk.Rules{global}, merchants...)...)
	for _, k := range risk.BlockKinds {
		if blocked[k] {
			snap.Blocked = append(snap.Blocked, k)
		}
	}
	return snap, nil
}

// velocity adds the profile's velocity buckets to the history: each
// window's current bucket, and its previous one weighted by the share of
// it the window still covers; older buckets are stale.
func (snap *Snapshot) velocity(profile map[string]types.AttributeValue, at time.Time) {
	for name := range profile {
		parts := strings.Split(name, "#")
		if len(parts) != 3 || (parts[0] != "orders" && parts[0] != "failures") {
			continue
		}
		b, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil {
			continue
		}
		for w := range risk.Windows {
			win := risk.Window(w)
			if parts[1] != win.String() {
				continue
			}
			cur := bucket(win, at)
			weight := 1.0
			switch {
			case b == cur:
			case b == cur-1:
				start := time.Unix(cur*int64(risk.Windows[w]/time.Second), 0)
				weight = 1 - float64(at.Sub(start))/float64(risk.Windows[w])
			case b < cur-1:
				snap.Stale = append(snap.Stale, name)
				continue
			default: // a clock ahead of this one's: not ours to judge
				continue
			}
			n := weight * float64(dynamo.Num(profile, name))
			if parts[0] == "orders" {
				snap.History.Orders[w] += n
			} else {
				snap.History.Failures[w] += n
			}
		}
	}
	slices.Sort(snap.Stale)
}

func str(it map[string]types.AttributeValue, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// OrderWrites is the counter update of a placed order, for its placement
// transaction: one write of the shopper's profile that adds one order to
// each window's current bucket, the first-order time, order count,
// amount and address, and removes the stale buckets Load found. It has
// no condition, so it never fails a placement.
func (s *Store) OrderWrites(in risk.Input, stale []string) ([]types.TransactWriteItem, error) {
	upd := velocityAdds(in.At, "orders").
		Set(expression.Name("firstAt"), expression.IfNotExists(expression.Name("firstAt"), expression.Value(in.At.UTC().Format(time.RFC3339Nano)))).
		Add(expression.Name("n#"+in.Currency), expression.Value(1)).
		Add(expression.Name("sum#"+in.Currency), expression.Value(in.Amount))
	if in.AddressKey != "" {
		upd = upd.Add(expression.Name("addrs"), expression.Value(&types.AttributeValueMemberSS{Value: []string{in.AddressKey}}))
	}
	for _, name := range stale {
		upd = upd.Remove(expression.Name(name))
	}
	it, err := s.profileUpdate(in.CustomerID, upd)
	if err != nil {
		return nil, err
	}
	return []types.TransactWriteItem{it}, nil
}

// velocityAdds adds 1 to counter kind in the current bucket of each window.
func velocityAdds(at time.Time, kind string) expression.UpdateBuilder {
	var upd expression.UpdateBuilder
	for w := range risk.Windows {
		upd = upd.Add(expression.Name(velocityAttr(kind, risk.Window(w), bucket(risk.Window(w), at))), expression.Value(1))
	}
	return upd
}

func (s *Store) profileUpdate(customerID string, upd expression.UpdateBuilder) (types.TransactWriteItem, error) {
	expr, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("build risk profile update: %w", err)
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: &s.table, Key: profileKey(customerID), UpdateExpression: expr.Update(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}, nil
}

// PaymentFailed counts a failed payment of customerID's in each window
// (one atomic write).
func (s *Store) PaymentFailed(ctx context.Context, customerID string, at time.Time) error {
	it, err := s.profileUpdate(customerID, velocityAdds(at, "failures"))
	if err != nil {
		return err
	}
	if err := dynamo.Transact(ctx, s.db, []types.TransactWriteItem{it}); err != nil {
		return fmt.Errorf("count failed payment: %w", err)
	}
	return nil
}

// ErrNotFound is a rule set or block entry that does not exist.
var ErrNotFound = errors.New("riskdb: not found")

// PutRules stores the rules of a scope (Global or MerchantScope(m)),
// replacing what was there. Rules must be valid (risk.Rules.Validate).
func (s *Store) PutRules(ctx context.Context, scope string, r risk.Rules) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode rules: %w", err)
	}
	item := rulesKey(scope)
	item["rules"] = dynamo.S(string(b))
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fmt.Errorf("put rules %s: %w", scope, err)
	}
	return nil
}

// Rules reads the rules of a scope; ok is false when none are set.
func (s *Store) Rules(ctx context.Context, scope string) (r risk.Rules, ok bool, err error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: rulesKey(scope), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return r, false, fmt.Errorf("get rules %s: %w", scope, err)
	}
	if out.Item == nil {
		return r, false, nil
	}
	if err := json.Unmarshal([]byte(str(out.Item, "rules")), &r); err != nil {
		return r, false, fmt.Errorf("decode rules %s: %w", scope, err)
	}
	return r, true, nil
}

// Block is an entry of a block list.
type Block struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
	// Scope is Global or MerchantScope(m).
	Scope     string    `json:"scope"`
	Reason    string    `json:"reason,omitempty"`
	CreatedBy string    `json:"createdBy,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// PutBlock adds (or replaces) a block list entry.
func (s *Store) PutBlock(ctx context.Context, b Block) error {
	item := blockKey(b.Kind, b.Value, b.Scope)
	item["reason"], item["createdBy"], item["createdAt"] = dynamo.S(b.Reason), dynamo.S(b.CreatedBy), dynamo.S(b.CreatedAt.UTC().Format(time.RFC3339Nano))
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fmt.Errorf("put block entry: %w", err)
	}
	return nil
}

// DeleteBlock removes a block list entry (absent: nothing happens).
func (s *Store) DeleteBlock(ctx context.Context, kind, value, scope string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: blockKey(kind, value, scope)}); err != nil {
		return fmt.Errorf("delete block entry: %w", err)
	}
	return nil
}

// Assessor decides orders at checkout from the table's state and a model.
type Assessor struct {
	Store  *Store
	Scorer *risk.Scorer
}

// NewAssessor returns an assessor over the Analytics table with model m
// (risk.DefaultModel() when nil).
func NewAssessor(db DynamoDB, table string, m *risk.Model) (*Assessor, error) {
	if m == nil {
		m = risk.DefaultModel()
	}
	sc, err := risk.NewScorer(m)
	if err != nil {
		return nil, err
	}
	return &Assessor{Store: New(db, table), Scorer: sc}, nil
}

// Assess decides an order (one BatchGetItem) and returns the writes that
// count it, for its placement transaction.
func (a *Assessor) Assess(ctx context.Context, in risk.Input) (risk.Assessment, []types.TransactWriteItem, error) {
	snap, err := a.Store.Load(ctx, in)
	if err != nil {
		return risk.Assessment{}, nil, err
	}
	as := a.Scorer.Decide(in, snap.History, snap.Rules, snap.Blocked)
	if as.Decision == risk.Block {
		return as, nil, nil
	}
	writes, err := a.Store.OrderWrites(in, snap.Stale)
	return as, writes, err
}

// PaymentFailed counts a failed payment.
func (a *Assessor) PaymentFailed(ctx context.Context, customerID string, at time.Time) error {
	return a.Store.PaymentFailed(ctx, customerID, at)
}
