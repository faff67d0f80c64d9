package emulator_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/config"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/emulator"
	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
)

// The launcher answers DynamoDB's data-plane requests and SQS's message
// requests without moto's request parser; with
// JIAOYI_EMULATOR_CHECK_DIRECT=1 it parses each one both ways and refuses
// it where they differ. Every kind of value the parser converts (binary
// attributes at the top, in sets, maps and lists; an attribute named like
// a type; numbers; binary message attributes) goes through both here, and
// what was written reads back unchanged.
func TestDirectRequestsParseAsMotoDoes(t *testing.T) {
	ctx := context.Background()
	em, err := emulator.Start(ctx, emulator.Options{Env: []string{"JIAOYI_EMULATOR_CHECK_DIRECT=1"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Stop)
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(emulator.Region), awsconfig.WithBaseEndpoint(em.Endpoint),
		awsconfig.WithRetryMaxAttempts(1),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(emulator.AccessKeyID, emulator.SecretAccessKey, "")))
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTPClient = config.DetachBodies(cfg.HTTPClient)
	db := dynamodb.NewFromConfig(cfg)
	env, err := provision.Tables(ctx, db, "direct-", resource.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	table := aws.String(env[resource.Catalog.EnvVar])
	blob := []byte{0, 1, 2, 0xfe, 0xff, 'B'}
	item := map[string]types.AttributeValue{
		"pk": s("P#1"), "sk": s("S#1"),
		"B":    s("an attribute named like the binary type, not a blob"),
		"bin":  &types.AttributeValueMemberB{Value: blob},
		"bins": &types.AttributeValueMemberBS{Value: [][]byte{blob, []byte("two")}},
		"nums": &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"strs": &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"map": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"B": &types.AttributeValueMemberB{Value: blob},
			"L": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberB{Value: blob}, n(3)}},
		}},
		"list": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"deep": &types.AttributeValueMemberB{Value: blob}}},
		}},
		"yes": &types.AttributeValueMemberBOOL{Value: true},
		"nil": &types.AttributeValueMemberNULL{Value: true},
		"n":   n(7),
	}
	key := func(sk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": s("P#1"), "sk": s(sk)}
	}
	calls := []struct {
		name string
		call func() error
	}{
		{"PutItem", func() error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item})
			return err
		}},
		{"UpdateItem", func() error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: key("S#1"),
				UpdateExpression:          aws.String("SET #n = #n + :one, #c = :b"),
				ConditionExpression:       aws.String("#bin = :b"),
				ExpressionAttributeNames:  map[string]string{"#n": "n", "#bin": "bin", "#c": "copy"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1), ":b": &types.AttributeValueMemberB{Value: blob}}})
			return err
		}},
		{"TransactWriteItems", func() error {
			second := map[string]types.AttributeValue{"pk": s("P#1"), "sk": s("S#2"), "bin": &types.AttributeValueMemberB{Value: blob}}
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: table, Item: second, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
				{ConditionCheck: &types.ConditionCheck{TableName: table, Key: key("S#1"), ConditionExpression: aws.String("bins = :bs"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":bs": item["bins"]}}},
			}})
			return err
		}},
		{"BatchWriteItem", func() error {
			third := map[string]types.AttributeValue{"pk": s("P#1"), "sk": s("S#3"), "bins": item["bins"]}
			_, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				*table: {{PutRequest: &types.PutRequest{Item: third}}}}})
			return err
		}},
		{"BatchGetItem", func() error {
			_, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				*table: {Keys: []map[string]types.AttributeValue{key("S#1"), key("S#2")}, ConsistentRead: aws.Bool(true)}}})
			return err
		}},
		{"Query with a limit and a start key", func() error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String("pk = :p"),
				FilterExpression:          aws.String("contains(bins, :b)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("P#1"), ":b": &types.AttributeValueMemberB{Value: blob}},
				Limit:                     aws.Int32(2), ExclusiveStartKey: key("S#1")})
			return err
		}},
		{"Scan in segments", func() error {
			_, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: table, Segment: aws.Int32(0), TotalSegments: aws.Int32(2)})
			return err
		}},
		{"TransactGetItems", func() error {
			_, err := db.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{{Get: &types.Get{TableName: table, Key: key("S#2")}}}})
			return err
		}},
		{"DeleteItem", func() error {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key("S#3"),
				ConditionExpression: aws.String("bins = :bs"), ExpressionAttributeValues: map[string]types.AttributeValue{":bs": item["bins"]}})
			return err
		}},
	}
	for _, c := range calls {
		if err := c.call(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key("S#1"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if b := got.Item["bin"].(*types.AttributeValueMemberB).Value; !bytes.Equal(b, blob) {
		t.Errorf("bin read back as %v, want %v", b, blob)
	}
	deep := got.Item["list"].(*types.AttributeValueMemberL).Value[0].(*types.AttributeValueMemberM).Value["deep"].(*types.AttributeValueMemberB).Value
	if !bytes.Equal(deep, blob) {
		t.Errorf("list[0].deep read back as %v, want %v", deep, blob)
	}
	if v := got.Item["B"].(*types.AttributeValueMemberS).Value; !strings.HasPrefix(v, "an attribute") {
		t.Errorf("attribute B read back as %q", v)
	}
	if v := got.Item["n"].(*types.AttributeValueMemberN).Value; v != "8" {
		t.Errorf("n = %s after one increment of 7", v)
	}
	// A refusal still comes back as moto words it.
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	var ccf *types.ConditionalCheckFailedException
	if err == nil || !strings.Contains(err.Error(), "ConditionalCheckFailed") {
		t.Errorf("a failed condition answered %v (%T), want ConditionalCheckFailedException %T", err, err, ccf)
	}

	q := sqs.NewFromConfig(cfg)
	created, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("direct")})
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]sqstypes.MessageAttributeValue{
		"raw":  {DataType: aws.String("Binary"), BinaryValue: blob},
		"text": {DataType: aws.String("String"), StringValue: aws.String("hello")},
	}
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: created.QueueUrl, MessageBody: aws.String("one"), MessageAttributes: attrs}); err != nil {
		t.Fatal("SendMessage:", err)
	}
	if _, err := q.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: created.QueueUrl, Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("two"), DelaySeconds: 0, MessageAttributes: attrs}}}); err != nil {
		t.Fatal("SendMessageBatch:", err)
	}
	out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: created.QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal("ReceiveMessage:", err)
	}
	if len(out.Messages) != 2 {
		t.Fatalf("received %d messages, want 2", len(out.Messages))
	}
	for _, m := range out.Messages {
		if !bytes.Equal(m.MessageAttributes["raw"].BinaryValue, blob) {
			t.Errorf("message %s: binary attribute %v, want %v", *m.Body, m.MessageAttributes["raw"].BinaryValue, blob)
		}
	}
	if _, err := q.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: created.QueueUrl, ReceiptHandle: out.Messages[0].ReceiptHandle, VisibilityTimeout: 5}); err != nil {
		t.Fatal("ChangeMessageVisibility:", err)
	}
	if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: created.QueueUrl, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal("DeleteMessage:", err)
	}
	if _, err := q.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: created.QueueUrl, Entries: []sqstypes.DeleteMessageBatchRequestEntry{
		{Id: aws.String("b"), ReceiptHandle: out.Messages[1].ReceiptHandle}}}); err != nil {
		t.Fatal("DeleteMessageBatch:", err)
	}
}

// Stream records written by the launcher's plain JSON dump read exactly as
// those written by moto's serializer: the same events, keys, images
// (binary values included) and sequence numbers, a size (moto measures
// the record with its creation time, so sizes differ by a digit or two
// from run to run) and a creation time to the millisecond.
func TestStreamRecordsReadAsMotoWritesThem(t *testing.T) {
	read := func(t *testing.T, env ...string) []streamtypes.Record {
		ctx := context.Background()
		em, err := emulator.Start(ctx, emulator.Options{Env: env})
		if err != nil {
			t.Fatal(err)
		}
		defer em.Stop()
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(emulator.Region), awsconfig.WithBaseEndpoint(em.Endpoint),
			awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(emulator.AccessKeyID, emulator.SecretAccessKey, "")))
		if err != nil {
			t.Fatal(err)
		}
		cfg.HTTPClient = config.DetachBodies(cfg.HTTPClient)
		db, streams := dynamodb.NewFromConfig(cfg), dynamodbstreams.NewFromConfig(cfg)
		env2, err := provision.Tables(ctx, db, "streams-", resource.Catalog)
		if err != nil {
			t.Fatal(err)
		}
		table := aws.String(env2[resource.Catalog.EnvVar])
		desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: table})
		if err != nil {
			t.Fatal(err)
		}
		stream, err := streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: desc.Table.LatestStreamArn})
		if err != nil {
			t.Fatal(err)
		}
		it, err := streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: desc.Table.LatestStreamArn,
			ShardId: stream.StreamDescription.Shards[0].ShardId, ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		key := map[string]types.AttributeValue{"pk": s("SKU#1"), "sk": s("SKU")}
		item := map[string]types.AttributeValue{"pk": s("SKU#1"), "sk": s("SKU"), "available": n(5),
			"raw":   &types.AttributeValueMemberB{Value: []byte{0, 0xff}},
			"stock": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"loc_a": n(2), "loc_b": n(3)}}}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: key, UpdateExpression: aws.String("SET available = available - :one"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key}); err != nil {
			t.Fatal(err)
		}
		out, err := streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		return out.Records
	}
	fast, plain := read(t), read(t, "JIAOYI_EMULATOR_FAST_RESPONSES=0")
	if len(fast) != 3 || len(plain) != 3 {
		t.Fatalf("read %d records fast and %d from moto's serializer, want 3 each", len(fast), len(plain))
	}
	for i := range fast {
		f, p := fast[i], plain[i]
		if f.EventName != p.EventName || aws.ToString(f.EventSource) != aws.ToString(p.EventSource) {
			t.Errorf("record %d: %s from %s, moto %s from %s", i, f.EventName, aws.ToString(f.EventSource), p.EventName, aws.ToString(p.EventSource))
		}
		fd, pd := *f.Dynamodb, *p.Dynamodb
		if fd.ApproximateCreationDateTime == nil || time.Since(*fd.ApproximateCreationDateTime) > time.Minute ||
			fd.ApproximateCreationDateTime.Nanosecond()%int(time.Millisecond) != 0 {
			t.Errorf("record %d: created at %v, want a recent time to the millisecond", i, fd.ApproximateCreationDateTime)
		}
		fd.ApproximateCreationDateTime, pd.ApproximateCreationDateTime = nil, nil
		if f, p := plainRecord(fd), plainRecord(pd); !reflect.DeepEqual(f, p) {
			t.Errorf("record %d:\nfast  %v\nmoto  %v", i, f, p)
		}
	}
}

// plainRecord is a stream record's fields as plain values, to compare and
// print.
func plainRecord(r streamtypes.StreamRecord) map[string]any {
	images := func(m map[string]streamtypes.AttributeValue) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = plainValue(v)
		}
		return out
	}
	return map[string]any{"keys": images(r.Keys), "new": images(r.NewImage), "old": images(r.OldImage),
		"seq": aws.ToString(r.SequenceNumber), "sized": aws.ToInt64(r.SizeBytes) > 0, "view": r.StreamViewType}
}

func plainValue(v streamtypes.AttributeValue) any {
	switch v := v.(type) {
	case *streamtypes.AttributeValueMemberS:
		return "S:" + v.Value
	case *streamtypes.AttributeValueMemberN:
		return "N:" + v.Value
	case *streamtypes.AttributeValueMemberB:
		return v.Value
	case *streamtypes.AttributeValueMemberM:
		out := map[string]any{}
		for k, x := range v.Value {
			out[k] = plainValue(x)
		}
		return out
	default:
		return fmt.Sprintf("%T", v)
	}
}
