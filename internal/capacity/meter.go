package capacity

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// Meter counts the calls of one SDK client and the request units their
// items consume, for tools that report cost. Puts and reads are sized as
// they pass; updated items are recorded by key, for the tool to size once
// written (DynamoDB bills the larger of the item before and after).
type Meter struct {
	mu sync.Mutex
	// Calls counts calls by "Service Operation".
	Calls map[string]int
	// WRU and RRU are the request units counted so far.
	WRU, RRU float64
	// Updates are the items updated, to be sized after the write.
	Updates []Updated
}

// Updated is an updated item.
type Updated struct {
	Table         string
	Key           map[string]types.AttributeValue
	Transactional bool
}

// NewMeter returns an empty Meter.
func NewMeter() *Meter { return &Meter{Calls: map[string]int{}} }

// Reset empties the meter.
func (m *Meter) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Calls, m.WRU, m.RRU, m.Updates = map[string]int{}, 0, 0, nil
}

// Middleware records each call; add it to a client's APIOptions.
func (m *Meter) Middleware(s *middleware.Stack) error {
	return s.Initialize.Add(middleware.InitializeMiddlewareFunc("capacity-meter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			m.mu.Lock()
			defer m.mu.Unlock()
			m.Calls[awsmw.GetServiceID(ctx)+" "+awsmw.GetOperationName(ctx)]++
			if err != nil {
				return out, md, err
			}
			switch p := in.Parameters.(type) {
			case *dynamodb.PutItemInput:
				m.WRU += float64(WriteUnits(ItemSize(p.Item), false))
			case *dynamodb.UpdateItemInput:
				m.Updates = append(m.Updates, Updated{aws.ToString(p.TableName), p.Key, false})
			case *dynamodb.TransactWriteItemsInput:
				for _, it := range p.TransactItems {
					switch {
					case it.Put != nil:
						m.WRU += float64(WriteUnits(ItemSize(it.Put.Item), true))
					case it.Update != nil:
						m.Updates = append(m.Updates, Updated{aws.ToString(it.Update.TableName), it.Update.Key, true})
					}
				}
			}
			switch r := out.Result.(type) {
			case *dynamodb.GetItemOutput:
				m.RRU += ReadUnits(ItemSize(r.Item), true, false)
			case *dynamodb.BatchGetItemOutput:
				for _, items := range r.Responses {
					for _, it := range items {
						m.RRU += ReadUnits(ItemSize(it), true, false)
					}
				}
			case *dynamodb.QueryOutput:
				size := 0
				for _, it := range r.Items {
					size += ItemSize(it)
				}
				m.RRU += ReadUnits(size, false, false)
			}
			return out, md, err
		}), middleware.After)
}

// SizeUpdates adds the write units of the recorded updates, reading each
// item with get (an unmetered client), and clears them.
func (m *Meter) SizeUpdates(ctx context.Context, get func(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)) error {
	m.mu.Lock()
	updates := m.Updates
	m.Updates = nil
	m.mu.Unlock()
	for _, u := range updates {
		out, err := get(ctx, &dynamodb.GetItemInput{TableName: &u.Table, Key: u.Key})
		if err != nil {
			return err
		}
		m.mu.Lock()
		m.WRU += float64(WriteUnits(ItemSize(out.Item), u.Transactional))
		m.mu.Unlock()
	}
	return nil
}
