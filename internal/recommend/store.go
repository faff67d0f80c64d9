package recommend

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/outbox"
)

// Key layout in the Analytics table (pk, sk):
//
//	orders with p      RECO#ITEM#<p>   COUNT   n
//	co-purchases       RECO#PAIR#<a>   <b>     n
//	lists to refresh   RECO#DIRTY      <p>     v (bumped by every order with p)
//	p's top-k          RECO#TOP#<p>    TOP     list
//	best-sellers       RECO#POPULAR    TOP     list
//	a shopper's buys   RECO#USER#<c>   <p>     n
const (
	dirtyPK   = "RECO#DIRTY"
	popularPK = "RECO#POPULAR"
	// Consumer names the inbox of the purchase consumer.
	Consumer = "recommend"
	// PopularN is how many best-sellers are kept.
	PopularN = 50
)

// DynamoDB is what the store calls.
type DynamoDB interface {
	dynamodb.QueryAPIClient
	dynamodb.ScanAPIClient
	dynamo.BatchGetter
	dynamo.BatchWriter
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store keeps co-purchase counts and lists in the Analytics table.
type Store struct {
	db    DynamoDB
	table string
	inbox *outbox.Inbox
}

// NewStore returns a Store on table.
func NewStore(db DynamoDB, table string) *Store {
	return &Store{db: db, table: table, inbox: &outbox.Inbox{DB: db, Table: table, Consumer: Consumer}}
}

// Record counts one paid order's products for customer, once per event:
// the counts, the shopper's purchases, the lists to refresh and the
// inbox mark commit together, so a redelivered event counts nothing.
func (s *Store) Record(ctx context.Context, eventID, customer string, products []string) error {
	b := Basket(products)
	if len(b) == 0 {
		return s.inbox.Mark(ctx, eventID)
	}
	items := []types.TransactWriteItem{s.inbox.MarkItem(eventID)}
	one := &types.AttributeValueMemberN{Value: "1"}
	put := func(pk, sk, attr string) {
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName: &s.table, Key: dynamo.Key(pk, sk), UpdateExpression: aws.String("ADD #n :one"),
			ExpressionAttributeNames: map[string]string{"#n": attr}, ExpressionAttributeValues: map[string]types.AttributeValue{":one": one},
		}})
	}
	for _, a := range b {
		put("RECO#ITEM#"+a, "COUNT", "n")
		put(dirtyPK, a, "v")
		if customer != "" {
			put("RECO#USER#"+customer, a, "n")
		}
		for _, x := range b {
			if x != a {
				put("RECO#PAIR#"+a, x, "n")
			}
		}
	}
	err := dynamo.Transact(ctx, s.db, items)
	if failed, ok := dynamo.Failed(err); ok {
		if _, dup := failed[0]; dup {
			return nil // counted already
		}
	}
	if err != nil {
		return fmt.Errorf("record purchases: %w", err)
	}
	return nil
}

type listItem struct {
	PK    string   `dynamodbav:"pk"`
	SK    string   `dynamodbav:"sk"`
	Items []Scored `dynamodbav:"items"`
}

// Top returns product's also-bought list (nil before it has one).
func (s *Store) Top(ctx context.Context, product string) ([]Scored, error) {
	return s.list(ctx, "RECO#TOP#"+product)
}

// Popular returns the best-sellers.
func (s *Store) Popular(ctx context.Context) ([]Scored, error) {
	return s.list(ctx, popularPK)
}

func (s *Store) list(ctx context.Context, pk string) ([]Scored, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: dynamo.Key(pk, "TOP")})
	if err != nil || out.Item == nil {
		return nil, err
	}
	var it listItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, err
	}
	return it.Items, nil
}

// OrderCounts returns how many paid orders held each of products (those
// in none are absent): what search's bestselling sort ranks by.
func (s *Store) OrderCounts(ctx context.Context, products []string) (map[string]int64, error) {
	keys := make([]map[string]types.AttributeValue, len(products))
	for i, p := range products {
		keys[i] = dynamo.Key("RECO#ITEM#"+p, "COUNT")
	}
	got, err := dynamo.BatchGet(ctx, s.db, s.table, keys, false)
	if err != nil {
		return nil, fmt.Errorf("order counts: %w", err)
	}
	out := make(map[string]int64, len(got))
	for _, it := range got {
		pk, _ := it["pk"].(*types.AttributeValueMemberS)
		if pk != nil {
			out[strings.TrimPrefix(pk.Value, "RECO#ITEM#")] = dynamo.Num(it, "n")
		}
	}
	return out, nil
}

// maxHistory bounds the purchases a "for you" list is built from.
const maxHistory = 100

// ForCustomer returns customer's "for you" list: their purchases through
// the products' lists, best-sellers after them (all of it for a new
// shopper). Three reads: the purchases, their lists, the best-sellers.
func (s *Store) ForCustomer(ctx context.Context, customer string, k int) ([]Scored, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &s.table, KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": dynamo.S("RECO#USER#" + customer)},
		Limit:                     aws.Int32(maxHistory),
	})
	if err != nil {
		return nil, fmt.Errorf("purchases of %s: %w", customer, err)
	}
	history := map[string]int64{}
	var keys []map[string]types.AttributeValue
	for _, it := range out.Items {
		p := it["sk"].(*types.AttributeValueMemberS).Value
		history[p] = dynamo.Num(it, "n")
		keys = append(keys, dynamo.Key("RECO#TOP#"+p, "TOP"))
	}
	tops := map[string][]Scored{}
	got, err := dynamo.BatchGet(ctx, s.db, s.table, keys, false)
	if err != nil {
		return nil, err
	}
	for _, it := range got {
		var l listItem
		if err := attributevalue.UnmarshalMap(it, &l); err != nil {
			return nil, err
		}
		tops[strings.TrimPrefix(l.PK, "RECO#TOP#")] = l.Items
	}
	pop, err := s.Popular(ctx)
	if err != nil {
		return nil, err
	}
	popular := make([]string, len(pop))
	for i, p := range pop {
		popular[i] = p.ProductID
	}
	return ForUser(history, tops, popular, k), nil
}

// Refresh recomputes the lists of up to limit products bought since their
// last refresh, and the best-sellers if any changed; it returns how many
// lists it rebuilt. A product bought again while its list is rebuilt stays
// due for the next run.
func (s *Store) Refresh(ctx context.Context, limit int) (int, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &s.table, KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": dynamo.S(dirtyPK)},
		Limit:                     aws.Int32(int32(limit)),
	})
	if err != nil {
		return 0, fmt.Errorf("due lists: %w", err)
	}
	done := 0
	for _, d := range out.Items {
		a := d["sk"].(*types.AttributeValueMemberS).Value
		if err := s.rebuild(ctx, a); err != nil {
			return done, err
		}
		_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: &s.table, Key: dynamo.Key(dirtyPK, a),
			ConditionExpression:       aws.String("v = :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": d["v"]},
		})
		var ccf *types.ConditionalCheckFailedException
		if err != nil && !errors.As(err, &ccf) {
			return done, err
		}
		done++
	}
	if done > 0 {
		return done, s.rebuildPopular(ctx)
	}
	return 0, nil
}

// rebuild recomputes a's list from its co-purchases and the order counts.
func (s *Store) rebuild(ctx context.Context, a string) error {
	neighbours := map[string]int64{}
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName: &s.table, KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": dynamo.S("RECO#PAIR#" + a)},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("co-purchases of %s: %w", a, err)
		}
		for _, it := range page.Items {
			neighbours[it["sk"].(*types.AttributeValueMemberS).Value] = dynamo.Num(it, "n")
		}
	}
	keys := []map[string]types.AttributeValue{dynamo.Key("RECO#ITEM#"+a, "COUNT")}
	for b := range neighbours {
		keys = append(keys, dynamo.Key("RECO#ITEM#"+b, "COUNT"))
	}
	counts := map[string]int64{}
	got, err := dynamo.BatchGet(ctx, s.db, s.table, keys, false)
	if err != nil {
		return err
	}
	for _, it := range got {
		counts[strings.TrimPrefix(it["pk"].(*types.AttributeValueMemberS).Value, "RECO#ITEM#")] = dynamo.Num(it, "n")
	}
	top := TopK(a, neighbours, func(p string) int64 { return counts[p] }, K)
	return s.putList("RECO#TOP#"+a, top)
}

func (s *Store) putList(pk string, items []Scored) error {
	av, err := attributevalue.MarshalMap(listItem{PK: pk, SK: "TOP", Items: items})
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &s.table, Item: av})
	return err
}

// rebuildPopular recomputes the best-sellers from every product's order
// count: a scan of the count items, run only by the scheduled refresh.
func (s *Store) rebuildPopular(ctx context.Context) error {
	orders := map[string]int64{}
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{
		TableName: &s.table, FilterExpression: aws.String("begins_with(pk, :p) AND sk = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": dynamo.S("RECO#ITEM#"), ":c": dynamo.S("COUNT")},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("best-sellers: %w", err)
		}
		for _, it := range page.Items {
			orders[strings.TrimPrefix(it["pk"].(*types.AttributeValueMemberS).Value, "RECO#ITEM#")] = dynamo.Num(it, "n")
		}
	}
	var pop []Scored
	for _, id := range Popular(orders, PopularN) {
		pop = append(pop, Scored{ProductID: id, Score: float64(orders[id])})
	}
	return s.putList(popularPK, pop)
}

// Seed writes what counts of orders would have produced: every count, list
// and shopper's purchases, in batches (the demo's history under make run).
func (s *Store) Seed(ctx context.Context, orders []Order) error {
	c := NewCounts()
	users := map[string]map[string]int64{}
	for _, o := range orders {
		c.Add(o.Products)
		if users[o.Customer] == nil {
			users[o.Customer] = map[string]int64{}
		}
		for _, p := range Basket(o.Products) {
			users[o.Customer][p]++
		}
	}
	var items []map[string]types.AttributeValue
	num := func(pk, sk string, n int64) {
		items = append(items, map[string]types.AttributeValue{"pk": dynamo.S(pk), "sk": dynamo.S(sk), "n": &types.AttributeValueMemberN{Value: fmt.Sprint(n)}})
	}
	for p, n := range c.Orders {
		num("RECO#ITEM#"+p, "COUNT", n)
	}
	for a, bs := range c.Pairs {
		for b, n := range bs {
			num("RECO#PAIR#"+a, b, n)
		}
	}
	for u, ps := range users {
		for p, n := range ps {
			num("RECO#USER#"+u, p, n)
		}
	}
	for a, top := range c.Tops(K) {
		av, err := attributevalue.MarshalMap(listItem{PK: "RECO#TOP#" + a, SK: "TOP", Items: top})
		if err != nil {
			return err
		}
		items = append(items, av)
	}
	var pop []Scored
	for _, id := range c.Popular(PopularN) {
		pop = append(pop, Scored{ProductID: id, Score: float64(c.Orders[id])})
	}
	av, err := attributevalue.MarshalMap(listItem{PK: popularPK, SK: "TOP", Items: pop})
	if err != nil {
		return err
	}
	return dynamo.PutAll(ctx, s.db, s.table, append(items, av))
}
