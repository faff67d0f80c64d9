package recommend_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/recommend"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func count(t *testing.T, db *dynamodb.Client, table, pk, sk, attr string) int64 {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &table, Key: dynamo.Key(pk, sk)})
	if err != nil {
		t.Fatal(err)
	}
	return dynamo.Num(out.Item, attr)
}

func TestRecordRefreshAndLists(t *testing.T) {
	ctx := context.Background()
	db := awstest.DynamoDB(t)
	table := awstest.Tables(t, resource.Analytics)[resource.Analytics.EnvVar]
	s := recommend.NewStore(db, table)

	// Twenty orders with tea and cup racing, each delivered twice.
	var wg sync.WaitGroup
	for i := range 20 {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.Record(ctx, fmt.Sprint("evt-", i), fmt.Sprint("shopper-", i%4), []string{"tea", "cup"}); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	if err := s.Record(ctx, "evt-k", "shopper-0", []string{"tea", "kettle", "tea"}); err != nil {
		t.Fatal(err)
	}
	if got := count(t, db, table, "RECO#ITEM#tea", "COUNT", "n"); got != 21 {
		t.Errorf("orders with tea %d, want 21 (duplicates counted once)", got)
	}
	if got := count(t, db, table, "RECO#PAIR#tea", "cup", "n"); got != 20 {
		t.Errorf("tea+cup %d, want 20", got)
	}
	if n, err := s.Refresh(ctx, 100); err != nil || n != 3 {
		t.Fatalf("refresh rebuilt %d, %v; want tea, cup, kettle", n, err)
	}
	if n, _ := s.Refresh(ctx, 100); n != 0 {
		t.Errorf("a second refresh rebuilt %d, want nothing due", n)
	}
	top, err := s.Top(ctx, "tea")
	if err != nil || len(top) != 2 || top[0].ProductID != "cup" {
		t.Errorf("tea's list %+v, %v; want cup first", top, err)
	}
	// shopper-1 bought tea and cup: kettle is for them; a new shopper gets best-sellers.
	mine, err := s.ForCustomer(ctx, "shopper-1", 10)
	if err != nil || len(mine) == 0 || mine[0].ProductID != "kettle" {
		t.Errorf("for shopper-1 %+v, %v; want kettle", mine, err)
	}
	fresh, err := s.ForCustomer(ctx, "new-shopper", 10)
	if err != nil || len(fresh) != 3 || fresh[0].ProductID != "tea" {
		t.Errorf("for a new shopper %+v, %v; want the best-sellers, tea first", fresh, err)
	}
}

func TestSeedMatchesCounting(t *testing.T) {
	ctx := context.Background()
	db := awstest.DynamoDB(t)
	table := awstest.Tables(t, resource.Analytics)[resource.Analytics.EnvVar]
	orders := []recommend.Order{{Customer: "a", Products: []string{"x", "y"}}, {Customer: "b", Products: []string{"x", "y", "z"}}, {Customer: "a", Products: []string{"z"}}}
	if err := recommend.NewStore(db, table).Seed(ctx, orders); err != nil {
		t.Fatal(err)
	}
	c := recommend.NewCounts()
	for _, o := range orders {
		c.Add(o.Products)
	}
	top, err := recommend.NewStore(db, table).Top(ctx, "x")
	want := c.Tops(recommend.K)["x"]
	if err != nil || len(top) != len(want) || top[0] != want[0] {
		t.Errorf("seeded list %+v, %v; want %+v", top, err, want)
	}
}
