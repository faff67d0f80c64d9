package provision_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/provision"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func TestAllIsIdempotentAndMatchesDefinitions(t *testing.T) {
	ctx := context.Background()
	cfg := awstest.Config(t)
	prefix := awstest.Prefix(t)

	first, err := provision.All(ctx, cfg, prefix)
	if err != nil {
		t.Fatalf("first provision: %v", err)
	}
	second, err := provision.All(ctx, cfg, prefix)
	if err != nil {
		t.Fatalf("second provision: %v", err)
	}
	for k, v := range first {
		if second[k] != v {
			t.Errorf("%s: first %q, second %q", k, v, second[k])
		}
	}

	db := dynamodb.NewFromConfig(cfg)
	for _, def := range resource.Tables() {
		name := first[def.EnvVar]
		if name != def.PhysicalName(prefix) {
			t.Errorf("%s = %q, want %q", def.EnvVar, name, def.PhysicalName(prefix))
		}
		d, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
		if err != nil {
			t.Fatalf("describe %s: %v", name, err)
		}
		if got, want := len(d.Table.GlobalSecondaryIndexes), len(def.Indexes); got != want {
			t.Errorf("%s: %d GSIs, want %d", name, got, want)
		}
		gotStream := d.Table.StreamSpecification != nil && aws.ToBool(d.Table.StreamSpecification.StreamEnabled)
		if gotStream != def.Stream {
			t.Errorf("%s: stream %v, want %v", name, gotStream, def.Stream)
		}
		ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &name})
		if err != nil {
			t.Fatal(err)
		}
		gotTTL := ttl.TimeToLiveDescription != nil && ttl.TimeToLiveDescription.TimeToLiveStatus == dbtypes.TimeToLiveStatusEnabled
		if gotTTL != (def.TTLAttribute != "") {
			t.Errorf("%s: ttl enabled %v, want %v", name, gotTTL, def.TTLAttribute != "")
		}
	}

	q := sqs.NewFromConfig(cfg)
	for _, def := range resource.Queues() {
		url := first[def.EnvVar]
		if !strings.HasSuffix(url, "/"+def.PhysicalName(prefix)) {
			t.Errorf("%s url %q does not end in %s", def.Name, url, def.PhysicalName(prefix))
		}
		attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
		})
		if err != nil {
			t.Fatal(err)
		}
		var redrive struct {
			Target string `json:"deadLetterTargetArn"`
			Max    any    `json:"maxReceiveCount"`
		}
		if err := json.Unmarshal([]byte(attrs.Attributes["RedrivePolicy"]), &redrive); err != nil {
			t.Fatalf("%s: redrive policy %q: %v", def.Name, attrs.Attributes["RedrivePolicy"], err)
		}
		if !strings.HasSuffix(redrive.Target, ":"+def.DeadLetterName(prefix)) {
			t.Errorf("%s: dead-letter target %q, want %s", def.Name, redrive.Target, def.DeadLetterName(prefix))
		}
		if got, want := attrs.Attributes["FifoQueue"] == "true", def.FIFO; got != want {
			t.Errorf("%s: fifo %v, want %v", def.Name, got, want)
		}
	}
}

func TestRejectsInvalidPrefix(t *testing.T) {
	_, err := provision.Table(context.Background(), awstest.DynamoDB(t), resource.Catalog, "bad prefix!")
	if err == nil {
		t.Fatal("want an error for an invalid prefix")
	}
}
