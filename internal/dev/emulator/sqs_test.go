package emulator_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

// The launcher computes a queue's attributes only when read: the answer
// is still moto's, counts and redrive policy included, asked for all at
// once or by name.
func TestQueueAttributesAreMotos(t *testing.T) {
	ctx := context.Background()
	client := awstest.SQS(t)
	prefix := awstest.Prefix(t)
	dlq, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(prefix + "attrs-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	dlqAttrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	redrive := `{"deadLetterTargetArn":"` + dlqAttrs.Attributes["QueueArn"] + `","maxReceiveCount":"3"}`
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(prefix + "attrs"),
		Attributes: map[string]string{"RedrivePolicy": redrive, "VisibilityTimeout": "45"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		in := &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("m" + strconv.Itoa(i))}
		if i < 2 {
			in.DelaySeconds = 600
		}
		if _, err := client.SendMessage(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 1}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"ApproximateNumberOfMessages": "2", "ApproximateNumberOfMessagesDelayed": "2",
		"ApproximateNumberOfMessagesNotVisible": "1", "VisibilityTimeout": "45",
	}
	all, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if all.Attributes[k] != v {
			t.Errorf("All: %s = %q, want %q", k, all.Attributes[k], v)
		}
	}
	if all.Attributes["RedrivePolicy"] == "" || all.Attributes["QueueArn"] == "" {
		t.Errorf("All lacks the redrive policy or ARN: %v", all.Attributes)
	}
	one, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Attributes) != 1 || one.Attributes["ApproximateNumberOfMessages"] != "2" {
		t.Errorf("by name: %v, want only ApproximateNumberOfMessages=2", one.Attributes)
	}
}
