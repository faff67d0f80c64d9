// Package provision creates jiaoyi's tables and queues from internal/resource
// in an emulator or an AWS account. It is idempotent: what exists is left as
// it is (settings that can be changed in place, like TTL, are reapplied).
// The CDK app, not this package, owns resources in deployed stages.
package provision

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
)

// Env maps each resource's environment variable to its physical name (tables)
// or URL (queues): the environment a function needs to find them.
type Env map[string]string

// All creates every table and queue under prefix and returns their Env.
func All(ctx context.Context, cfg aws.Config, prefix string) (Env, error) {
	env := Env{}
	db := dynamodb.NewFromConfig(cfg)
	for _, t := range resource.Tables() {
		name, err := Table(ctx, db, t, prefix)
		if err != nil {
			return nil, err
		}
		env[t.EnvVar] = name
	}
	q := sqs.NewFromConfig(cfg)
	for _, def := range resource.Queues() {
		url, dlq, err := Queue(ctx, q, def, prefix)
		if err != nil {
			return nil, err
		}
		env[def.EnvVar] = url
		env[def.DeadLetterEnvVar()] = dlq
	}
	topics, err := Topics(ctx, sns.NewFromConfig(cfg), q, prefix, env)
	if err != nil {
		return nil, err
	}
	maps.Copy(env, topics)
	buckets, err := Buckets(ctx, cfg, prefix)
	if err != nil {
		return nil, err
	}
	maps.Copy(env, buckets)
	return env, nil
}

// Buckets creates every bucket under prefix (the emulator serves them by
// path) and returns their Env. Creating one that exists is fine.
func Buckets(ctx context.Context, cfg aws.Config, prefix string) (Env, error) {
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	env := Env{}
	for _, b := range resource.Buckets() {
		name := b.PhysicalName(prefix)
		_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name})
		var owned *s3types.BucketAlreadyOwnedByYou
		var exists *s3types.BucketAlreadyExists
		if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
			return nil, fmt.Errorf("create bucket %s: %w", name, err)
		}
		env[b.EnvVar] = name
	}
	return env, nil
}

// Tables creates the given tables under prefix and returns their Env.
func Tables(ctx context.Context, db *dynamodb.Client, prefix string, tables ...resource.Table) (Env, error) {
	env := Env{}
	for _, t := range tables {
		name, err := Table(ctx, db, t, prefix)
		if err != nil {
			return nil, err
		}
		env[t.EnvVar] = name
	}
	return env, nil
}

// Table creates t under prefix unless it exists, waits until it is active,
// enables its TTL, and returns its physical name.
func Table(ctx context.Context, db *dynamodb.Client, t resource.Table, prefix string) (string, error) {
	if !resource.ValidPrefix(prefix) {
		return "", fmt.Errorf("provision: invalid prefix %q", prefix)
	}
	name := t.PhysicalName(prefix)
	_, err := db.CreateTable(ctx, createTableInput(t, name))
	var inUse *dbtypes.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return "", fmt.Errorf("create table %s: %w", name, err)
	}
	w := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: &name}, 2*time.Minute); err != nil {
		return "", fmt.Errorf("wait for table %s: %w", name, err)
	}
	if t.TTLAttribute != "" {
		if err := enableTTL(ctx, db, name, t.TTLAttribute); err != nil {
			return "", err
		}
	}
	return name, nil
}

func createTableInput(t resource.Table, name string) *dynamodb.CreateTableInput {
	attrs := map[string]bool{t.PartitionKey: true}
	keys := []dbtypes.KeySchemaElement{{AttributeName: aws.String(t.PartitionKey), KeyType: dbtypes.KeyTypeHash}}
	if t.SortKey != "" {
		attrs[t.SortKey] = true
		keys = append(keys, dbtypes.KeySchemaElement{AttributeName: aws.String(t.SortKey), KeyType: dbtypes.KeyTypeRange})
	}
	var gsis []dbtypes.GlobalSecondaryIndex
	for _, ix := range t.Indexes {
		attrs[ix.PartitionKey] = true
		ks := []dbtypes.KeySchemaElement{{AttributeName: aws.String(ix.PartitionKey), KeyType: dbtypes.KeyTypeHash}}
		if ix.SortKey != "" {
			attrs[ix.SortKey] = true
			ks = append(ks, dbtypes.KeySchemaElement{AttributeName: aws.String(ix.SortKey), KeyType: dbtypes.KeyTypeRange})
		}
		gsis = append(gsis, dbtypes.GlobalSecondaryIndex{
			IndexName:  aws.String(ix.Name),
			KeySchema:  ks,
			Projection: &dbtypes.Projection{ProjectionType: dbtypes.ProjectionTypeAll},
		})
	}
	var defs []dbtypes.AttributeDefinition
	for _, a := range slices.Sorted(maps.Keys(attrs)) {
		defs = append(defs, dbtypes.AttributeDefinition{AttributeName: aws.String(a), AttributeType: dbtypes.ScalarAttributeTypeS})
	}
	in := &dynamodb.CreateTableInput{
		TableName:              aws.String(name),
		BillingMode:            dbtypes.BillingModePayPerRequest,
		KeySchema:              keys,
		AttributeDefinitions:   defs,
		GlobalSecondaryIndexes: gsis,
	}
	if t.Stream {
		in.StreamSpecification = &dbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dbtypes.StreamViewTypeNewAndOldImages}
	}
	return in
}

func enableTTL(ctx context.Context, db *dynamodb.Client, name, attr string) error {
	d, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &name})
	if err != nil {
		return fmt.Errorf("describe ttl of %s: %w", name, err)
	}
	if s := d.TimeToLiveDescription; s != nil && aws.ToString(s.AttributeName) == attr &&
		(s.TimeToLiveStatus == dbtypes.TimeToLiveStatusEnabled || s.TimeToLiveStatus == dbtypes.TimeToLiveStatusEnabling) {
		return nil
	}
	_, err = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               &name,
		TimeToLiveSpecification: &dbtypes.TimeToLiveSpecification{AttributeName: &attr, Enabled: aws.Bool(true)},
	})
	if err != nil {
		return fmt.Errorf("enable ttl on %s: %w", name, err)
	}
	return nil
}

// Queue creates q and its dead-letter queue under prefix (CreateQueue is
// idempotent for equal attributes) and returns both URLs.
func Queue(ctx context.Context, client *sqs.Client, q resource.Queue, prefix string) (url, dlqURL string, err error) {
	if !resource.ValidPrefix(prefix) {
		return "", "", fmt.Errorf("provision: invalid prefix %q", prefix)
	}
	retention := strconv.Itoa(int(q.Retention.Seconds()))
	dlqAttrs := map[string]string{string(sqstypes.QueueAttributeNameMessageRetentionPeriod): strconv.Itoa(14 * 24 * 3600)}
	if q.FIFO {
		dlqAttrs[string(sqstypes.QueueAttributeNameFifoQueue)] = "true"
	}
	dlqName := q.DeadLetterName(prefix)
	d, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &dlqName, Attributes: dlqAttrs})
	if err != nil {
		return "", "", fmt.Errorf("create queue %s: %w", dlqName, err)
	}
	dlqARN, err := queueARN(ctx, client, *d.QueueUrl)
	if err != nil {
		return "", "", err
	}
	redrive, err := json.Marshal(map[string]any{"deadLetterTargetArn": dlqARN, "maxReceiveCount": q.MaxReceives})
	if err != nil {
		return "", "", fmt.Errorf("redrive policy: %w", err)
	}
	attrs := map[string]string{
		string(sqstypes.QueueAttributeNameVisibilityTimeout):      strconv.Itoa(int(q.VisibilityTimeout.Seconds())),
		string(sqstypes.QueueAttributeNameMessageRetentionPeriod): retention,
		string(sqstypes.QueueAttributeNameRedrivePolicy):          string(redrive),
	}
	if q.FIFO {
		attrs[string(sqstypes.QueueAttributeNameFifoQueue)] = "true"
	}
	name := q.PhysicalName(prefix)
	out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: attrs})
	if err != nil {
		return "", "", fmt.Errorf("create queue %s: %w", name, err)
	}
	return *out.QueueUrl, *d.QueueUrl, nil
}

func queueARN(ctx context.Context, client *sqs.Client, url string) (string, error) {
	out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       &url,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return "", fmt.Errorf("queue arn of %s: %w", url, err)
	}
	return out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)], nil
}

// Topics creates every topic under prefix (CreateTopic is idempotent) and
// subscribes each of queues that reads one, with raw delivery and its
// filter policy. queues maps queues' EnvVar to their URLs (as Queue
// returned); a queue not in it is not subscribed.
// It returns topic EnvVar → ARN.
func Topics(ctx context.Context, client *sns.Client, q *sqs.Client, prefix string, queues Env) (Env, error) {
	env := Env{}
	for _, t := range resource.Topics() {
		name := t.PhysicalName(prefix)
		out, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: &name})
		if err != nil {
			return nil, fmt.Errorf("create topic %s: %w", name, err)
		}
		env[t.EnvVar] = *out.TopicArn
		for _, def := range resource.Queues() {
			if def.Subscribes == nil || def.Subscribes.Name != t.Name {
				continue
			}
			url, ok := queues[def.EnvVar]
			if !ok {
				continue // not provisioned here (a test that wants only some)
			}
			arn, err := queueARN(ctx, q, url)
			if err != nil {
				return nil, err
			}
			filter, err := json.Marshal(def.FilterPolicy())
			if err != nil {
				return nil, err
			}
			_, err = client.Subscribe(ctx, &sns.SubscribeInput{
				TopicArn: out.TopicArn, Protocol: aws.String("sqs"), Endpoint: &arn,
				Attributes: map[string]string{"RawMessageDelivery": "true", "FilterPolicy": string(filter)},
			})
			if err != nil {
				return nil, fmt.Errorf("subscribe %s to %s: %w", def.Name, name, err)
			}
		}
	}
	return env, nil
}
