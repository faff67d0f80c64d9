package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/catalog"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/demo"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func TestCatalogIsLargeBilingualAndValid(t *testing.T) {
	b := demo.Catalog()
	if len(b.Products) < 300 {
		t.Errorf("%d products, want at least 300", len(b.Products))
	}
	seen := map[string]bool{}
	categories := map[string]int{}
	for _, p := range b.Products {
		if err := p.Validate(); err != nil {
			t.Error(err)
		}
		if seen[p.ID] {
			t.Errorf("duplicate product id %s", p.ID)
		}
		seen[p.ID] = true
		categories[p.Category]++
	}
	if len(categories) < 6 {
		t.Errorf("%d categories, want at least 6", len(categories))
	}
	for _, s := range b.SKUs {
		if err := s.Validate(); err != nil {
			t.Error(err)
		}
		if !seen[s.ProductID] {
			t.Errorf("sku %s belongs to unknown product %s", s.ID, s.ProductID)
		}
		if seen[s.ID] {
			t.Errorf("duplicate sku id %s", s.ID)
		}
		seen[s.ID] = true
	}
	// The same ids on every run.
	if again := demo.Catalog(); again.Products[0].ID != b.Products[0].ID || again.SKUs[5].ID != b.SKUs[5].ID {
		t.Error("demo catalog ids are not deterministic")
	}
}

func TestSlotsCoverOpeningHours(t *testing.T) {
	st := demo.Stores()[0]
	day := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	slots, err := demo.Slots(st, day)
	if err != nil {
		t.Fatal(err)
	}
	// tea-tasting: 60 min from 10:00 to 21:00 = 11; fitting: 30 min = 22.
	if got, want := len(slots), 33; got != want {
		t.Errorf("%d slots, want %d", got, want)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if h := slots[0].Start.In(loc).Hour(); h != 10 {
		t.Errorf("first slot starts at %d:00 local, want 10:00", h)
	}
	for _, s := range slots {
		if err := s.Validate(); err != nil {
			t.Error(err)
		}
	}
}

func TestSeedIsIdempotentAndKeepsStock(t *testing.T) {
	ctx := context.Background()
	env := awstest.Tables(t, resource.Catalog)
	db := awstest.DynamoDB(t)
	repo := catalog.NewRepository(db, env[resource.Catalog.EnvVar])
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

	seeded, err := demo.Seed(ctx, repo, now)
	if err != nil {
		t.Fatal(err)
	}
	if seeded.Products < 300 || seeded.Stores != 3 || seeded.Slots == 0 || seeded.Skipped != 0 {
		t.Fatalf("first seed = %+v, want every part written", seeded)
	}

	// Sell one unit, then seed again: the sale must survive.
	p := demo.Catalog().Products[0]
	skuID := p.SKUIDs[0]
	before, err := repo.Product(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(repo.Table()), Key: catalog.SKUKey(skuID),
		UpdateExpression:          aws.String("SET available = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: "1234"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	second, err := demo.Seed(ctx, repo, now)
	if err != nil {
		t.Fatal(err)
	}
	if second.Products != 0 || second.Slots != 0 || second.Skipped != 1+3*demo.SlotDays {
		t.Errorf("second seed = %+v, want everything skipped", second)
	}
	after, err := repo.Product(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := after.SKUs[0].Available; got != 1234 {
		t.Errorf("stock after reseed = %d, want 1234 (was %d before the sale)", got, before.SKUs[0].Available)
	}

	// A day later, only the new day's slots are added.
	third, err := demo.Seed(ctx, repo, now.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	perDay := 0
	for _, st := range demo.Stores() {
		s, _ := demo.Slots(st, now.AddDate(0, 0, demo.SlotDays))
		perDay += len(s)
	}
	if third.Slots != perDay {
		t.Errorf("next-day seed wrote %d slots, want %d", third.Slots, perDay)
	}
}
