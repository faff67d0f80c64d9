package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/routes"
)

// streamHandler is a consumer of a table's stream.
type streamHandler func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// pollStream stands in for Lambda's event source mapping of a table's
// DynamoDB stream: every window it reads what changed since the last read
// (from the emulator's stream, as the mapping reads AWS's) and, if
// anything did, calls the consumer with the batch; a batch the consumer
// reports failed is offered again at the next window. Changes from before
// the poller started are not replayed (make run builds what it needs at
// start).
func pollStream(ctx context.Context, db *dynamodb.Client, streams *dynamodbstreams.Client, c routes.Consumer, h streamHandler, log *slog.Logger) {
	table := os.Getenv(c.Stream.EnvVar)
	iterators, err := latestIterators(ctx, db, streams, table)
	if err != nil {
		log.Error("stream consumer not started", "table", table, "error", err)
		return
	}
	t := time.NewTicker(c.Window)
	defer t.Stop()
	var pending []events.DynamoDBEventRecord
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for i, it := range iterators {
			for it != nil && len(pending) < int(max(c.BatchSize, 1)) {
				out, err := streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(1000)})
				if err != nil {
					log.Error("read stream", "table", table, "error", err)
					break
				}
				for _, r := range out.Records {
					pending = append(pending, eventRecord(r))
				}
				it = out.NextShardIterator
				if len(out.Records) == 0 {
					break
				}
			}
			iterators[i] = it
		}
		if len(pending) == 0 {
			continue
		}
		resp, err := h(ctx, events.DynamoDBEvent{Records: pending})
		switch {
		case err != nil && !errors.Is(err, context.Canceled):
			log.Error("stream consumer failed; the batch is offered again", "records", len(pending), "error", err)
		case err == nil && len(resp.BatchItemFailures) > 0:
			log.Warn("stream consumer reported failures; the batch is offered again", "records", len(pending))
		default:
			pending = nil
		}
	}
}

// latestIterators positions a reader at the end of each shard of table's
// stream.
func latestIterators(ctx context.Context, db *dynamodb.Client, streams *dynamodbstreams.Client, table string) ([]*string, error) {
	t, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		return nil, err
	}
	if t.Table.LatestStreamArn == nil {
		return nil, fmt.Errorf("table %s has no stream", table)
	}
	s, err := streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: t.Table.LatestStreamArn})
	if err != nil {
		return nil, err
	}
	var its []*string
	for _, sh := range s.StreamDescription.Shards {
		out, err := streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
			StreamArn: t.Table.LatestStreamArn, ShardId: sh.ShardId, ShardIteratorType: streamtypes.ShardIteratorTypeLatest,
		})
		if err != nil {
			return nil, err
		}
		its = append(its, out.ShardIterator)
	}
	return its, nil
}

// eventRecord is a stream record as Lambda hands it to a consumer.
func eventRecord(r streamtypes.Record) events.DynamoDBEventRecord {
	e := events.DynamoDBEventRecord{EventID: aws.ToString(r.EventID), EventName: string(r.EventName), EventSource: "aws:dynamodb"}
	if d := r.Dynamodb; d != nil {
		e.Change = events.DynamoDBStreamRecord{
			Keys: attributes(d.Keys), NewImage: attributes(d.NewImage), OldImage: attributes(d.OldImage),
			SequenceNumber: aws.ToString(d.SequenceNumber), StreamViewType: string(d.StreamViewType),
		}
	}
	return e
}

func attributes(m map[string]streamtypes.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = attribute(v)
	}
	return out
}

// attribute converts between the SDK's and aws-lambda-go's attribute
// values, which no library does.
func attribute(av streamtypes.AttributeValue) events.DynamoDBAttributeValue {
	switch v := av.(type) {
	case *streamtypes.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *streamtypes.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *streamtypes.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *streamtypes.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *streamtypes.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, x := range v.Value {
			l[i] = attribute(x)
		}
		return events.NewListAttribute(l)
	case *streamtypes.AttributeValueMemberM:
		return events.NewMapAttribute(attributes(v.Value))
	}
	return events.NewNullAttribute()
}
