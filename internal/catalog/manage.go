package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dynamo"
	"github.com/jiaoyi-dev/jiaoyi/internal/problem"
)

// Manager is what merchants change in their catalog: products and their
// SKUs, each change conditional on the merchant owning the product, so
// another merchant's product is never touched (and reads as not found).
type Manager struct {
	*Repository
	db dynamo.Transactor
}

// NewManager returns a Manager on r, transacting through db.
func NewManager(r *Repository, db dynamo.Transactor) *Manager { return &Manager{Repository: r, db: db} }

// Create stores a new product with its SKUs in one transaction; none of
// their ids may exist. Stock starts at each SKU's Available.
func (m *Manager) Create(ctx context.Context, p Product, skus []SKU) error {
	if err := p.Validate(); err != nil {
		return err
	}
	items := make([]types.TransactWriteItem, 0, len(skus)+1)
	pi, err := attributevalue.MarshalMap(newProductItem(p))
	if err != nil {
		return err
	}
	items = append(items, dynamo.PutNew(m.table, pi))
	for _, s := range skus {
		if err := s.Validate(); err != nil {
			return err
		}
		si, err := attributevalue.MarshalMap(skuItem{keys{PK: "SKU#" + s.ID, SK: skSKU}, s})
		if err != nil {
			return err
		}
		items = append(items, dynamo.PutNew(m.table, si))
	}
	if err := dynamo.Transact(ctx, m.db, items); err != nil {
		if _, ok := dynamo.Failed(err); ok {
			return problem.New(problem.Conflict, "a product or SKU with these ids exists")
		}
		return fmt.Errorf("create product %s: %w", p.ID, err)
	}
	return nil
}

// Owned returns merchantID's product with its SKUs. Another merchant's
// product is ErrProductNotFound.
func (m *Manager) Owned(ctx context.Context, merchantID, productID string) (ProductDetail, error) {
	d, err := m.Product(ctx, productID)
	if err != nil {
		return ProductDetail{}, err
	}
	if d.MerchantID != merchantID {
		return ProductDetail{}, fmt.Errorf("product %s: %w", productID, ErrProductNotFound)
	}
	return d, nil
}

// Save replaces merchantID's product p (its descriptive fields and status)
// on the condition that the merchant still owns it.
func (m *Manager) Save(ctx context.Context, merchantID string, p Product) error {
	if err := p.Validate(); err != nil {
		return err
	}
	item, err := attributevalue.MarshalMap(newProductItem(p))
	if err != nil {
		return err
	}
	cond, err := expression.NewBuilder().WithCondition(expression.Name("merchantId").Equal(expression.Value(merchantID))).Build()
	if err != nil {
		return err
	}
	err = dynamo.Transact(ctx, m.db, []types.TransactWriteItem{{Put: &types.Put{
		TableName: &m.table, Item: item, ConditionExpression: cond.Condition(),
		ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
	}}})
	if _, ok := dynamo.Failed(err); ok {
		return fmt.Errorf("product %s: %w", p.ID, ErrProductNotFound)
	}
	return err
}

// SetSKU changes a SKU's price and attributes (never its stock, which
// orders move) on the condition that merchantID owns its product. Orders
// already placed keep the prices they were placed at.
func (m *Manager) SetSKU(ctx context.Context, merchantID string, s SKU) error {
	if err := s.Validate(); err != nil {
		return err
	}
	owner, err := dynamo.Update(m.table, ProductKey(s.ProductID), expression.Set(expression.Name("updatedAt"), expression.Value(time.Now().UTC())),
		expression.Name("merchantId").Equal(expression.Value(merchantID)), false)
	if err != nil {
		return err
	}
	attrs, err := attributevalue.Marshal(s.Attributes)
	if err != nil {
		return err
	}
	price, err := attributevalue.Marshal(s.Price)
	if err != nil {
		return err
	}
	sku, err := dynamo.Update(m.table, SKUKey(s.ID),
		expression.Set(expression.Name("price"), expression.Value(price)).Set(expression.Name("attributes"), expression.Value(attrs)),
		expression.Name("productId").Equal(expression.Value(s.ProductID)), false)
	if err != nil {
		return err
	}
	err = dynamo.Transact(ctx, m.db, []types.TransactWriteItem{owner, sku})
	if _, ok := dynamo.Failed(err); ok {
		return fmt.Errorf("sku %s: %w", s.ID, ErrProductNotFound)
	}
	return err
}

// ProductPage is a page of a merchant's products, newest first.
type ProductPage struct {
	Products []Product `json:"products"`
	Next     string    `json:"next,omitempty"`
}

// ErrBadCursor is a cursor this API did not give the caller.
var ErrBadCursor = problem.Field("cursor", "cursor is not one this API returned for you")

// ByMerchant returns a page of merchantID's products, newest first; the
// cursor is bound to the merchant.
func (m *Manager) ByMerchant(ctx context.Context, merchantID, cursor string, limit int) (ProductPage, error) {
	in := &dynamodb.QueryInput{
		TableName: &m.table, IndexName: aws.String("gsi2"),
		KeyConditionExpression:    aws.String("gsi2pk = :m"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":m": dynamo.S("MERCHANT#" + merchantID)},
		ScanIndexForward:          aws.Bool(false), Limit: aws.Int32(int32(limit)),
	}
	if cursor != "" {
		start, ok := dynamo.DecodeCursor(cursor, "gsi2pk", "MERCHANT#"+merchantID, "pk", "sk", "gsi2pk", "gsi2sk")
		if !ok {
			return ProductPage{}, ErrBadCursor
		}
		in.ExclusiveStartKey = start
	}
	out, err := m.Repository.db.Query(ctx, in)
	if err != nil {
		return ProductPage{}, fmt.Errorf("list products of %s: %w", merchantID, err)
	}
	page := ProductPage{Products: []Product{}}
	for _, it := range out.Items {
		var p productItem
		if err := attributevalue.UnmarshalMap(it, &p); err != nil {
			return ProductPage{}, err
		}
		page.Products = append(page.Products, p.Product)
	}
	page.Next = dynamo.EncodeCursor(out.LastEvaluatedKey)
	return page, nil
}

// Adjustment reasons.
const (
	AdjustReceipt    = "receipt"
	AdjustCount      = "count_correction"
	AdjustDamage     = "damage"
	adjustmentPrefix = "ADJUSTMENT#"
)

// Adjustment is a merchant's change to a SKU's stock at one location,
// recorded as it was made.
type Adjustment struct {
	ID         string    `json:"id" dynamodbav:"id"`
	MerchantID string    `json:"merchantId" dynamodbav:"merchantId"`
	SKUID      string    `json:"skuId" dynamodbav:"skuId"`
	LocationID string    `json:"locationId" dynamodbav:"locationId"`
	Delta      int64     `json:"delta" dynamodbav:"delta"`
	Reason     string    `json:"reason" dynamodbav:"reason"`
	Note       string    `json:"note,omitempty" dynamodbav:"note,omitempty"`
	By         string    `json:"by" dynamodbav:"by"`
	At         time.Time `json:"at" dynamodbav:"at"`
	// Stock is the location's count after the adjustment.
	Stock int64 `json:"stock" dynamodbav:"stock"`
}

// ErrAdjustmentExists is an adjustment id already used.
var ErrAdjustmentExists = problem.New(problem.Conflict, "this adjustment was already made")

// ErrNegativeStock is an adjustment that would take a count below zero.
var ErrNegativeStock = &problem.Error{Code: problem.Conflict, Field: "delta", Message: "the adjustment would take the count below zero"}

// Adjust applies a to the SKU's stock at its location and records it, in
// one transaction conditional on the merchant owning the product and the
// location, on the count staying at or above zero, and on the adjustment
// id being new. A SKU stocked in one place gets its per-location stock at
// its first adjustment: what it had is placed at that location. Returns
// the adjustment as recorded (with the location's new count),
// ErrProductNotFound for someone else's SKU or location, ErrNegativeStock,
// or ErrAdjustmentExists.
func (m *Manager) Adjust(ctx context.Context, a Adjustment) (Adjustment, error) {
	skus, err := m.SKUs(ctx, []string{a.SKUID})
	if err != nil {
		return Adjustment{}, err
	}
	cur, ok := skus[a.SKUID]
	if !ok {
		return Adjustment{}, fmt.Errorf("sku %s: %w", a.SKUID, ErrProductNotFound)
	}
	mine := expression.Name("merchantId").Equal(expression.Value(a.MerchantID))
	product, err := conditionCheck(m.table, ProductKey(cur.ProductID), mine)
	if err != nil {
		return Adjustment{}, err
	}
	location, err := conditionCheck(m.table, LocationKey(a.LocationID), mine)
	if err != nil {
		return Adjustment{}, err
	}
	avail, stock := expression.Name("available"), expression.Name("stock")
	var upd expression.UpdateBuilder
	var cond expression.ConditionBuilder
	if len(cur.Stock) == 0 {
		a.Stock = cur.Available + a.Delta
		upd = expression.Set(stock, expression.Value(map[string]int64{a.LocationID: a.Stock})).Set(avail, expression.Value(a.Stock))
		cond = expression.AttributeNotExists(stock).And(avail.Equal(expression.Value(cur.Available)))
	} else {
		at := expression.Name("stock." + a.LocationID)
		a.Stock = cur.Stock[a.LocationID] + a.Delta
		upd = expression.Set(at, expression.Plus(expression.IfNotExists(at, expression.Value(0)), expression.Value(a.Delta))).
			Set(avail, avail.Plus(expression.Value(a.Delta)))
		cond = expression.AttributeExists(stock)
		if a.Delta < 0 {
			cond = cond.And(at.GreaterThanEqual(expression.Value(-a.Delta)))
		}
	}
	if a.Stock < 0 {
		return Adjustment{}, ErrNegativeStock.With(map[string]any{"stock": a.Stock - a.Delta})
	}
	sku, err := dynamo.Update(m.table, SKUKey(a.SKUID), upd, cond, true)
	if err != nil {
		return Adjustment{}, err
	}
	rec, err := attributevalue.MarshalMap(adjustmentItem{keys{PK: adjustmentPrefix + a.ID, SK: "ADJUSTMENT"}, a})
	if err != nil {
		return Adjustment{}, err
	}
	err = dynamo.Transact(ctx, m.db, []types.TransactWriteItem{product, location, sku, dynamo.PutNew(m.table, rec)})
	if failed, ok := dynamo.Failed(err); ok {
		switch {
		case hasKey(failed, 3):
			return Adjustment{}, ErrAdjustmentExists
		case hasKey(failed, 0), hasKey(failed, 1):
			return Adjustment{}, fmt.Errorf("sku %s at %s: %w", a.SKUID, a.LocationID, ErrProductNotFound)
		case len(cur.Stock) == 0:
			return Adjustment{}, problem.New(problem.Conflict, "the stock changed while it was adjusted; retry")
		default:
			return Adjustment{}, ErrNegativeStock
		}
	}
	if err != nil {
		return Adjustment{}, fmt.Errorf("adjust stock: %w", err)
	}
	return a, nil
}

type adjustmentItem struct {
	keys
	Adjustment
}

// Adjustment reads a recorded adjustment; ok is false if there is none.
func (m *Manager) Adjustment(ctx context.Context, adjustmentID string) (a Adjustment, ok bool, err error) {
	out, err := m.Repository.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &m.table, Key: key(adjustmentPrefix+adjustmentID, "ADJUSTMENT"), ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		return Adjustment{}, false, err
	}
	var it adjustmentItem
	err = attributevalue.UnmarshalMap(out.Item, &it)
	return it.Adjustment, err == nil, err
}

func hasKey(m map[int]map[string]types.AttributeValue, k int) bool {
	_, ok := m[k]
	return ok
}

func conditionCheck(table string, k map[string]types.AttributeValue, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: &table, Key: k, ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}, nil
}
