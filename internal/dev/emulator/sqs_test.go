package emulator_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

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

// The launcher reads the clock once per receive: a delayed message is
// not received before its delay ends and is after; a received message
// stays invisible for its visibility timeout and is received again once
// that has passed (with a higher receive count).
func TestReceiveHonoursDelayAndVisibility(t *testing.T) {
	ctx := context.Background()
	client := awstest.SQS(t)
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(awstest.Prefix(t) + "clock")})
	if err != nil {
		t.Fatal(err)
	}
	send := func(body string, delay int32) {
		t.Helper()
		if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body), DelaySeconds: delay}); err != nil {
			t.Fatal(err)
		}
	}
	receive := func(visibility int32) []string {
		t.Helper()
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10,
			VisibilityTimeout: visibility, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameApproximateReceiveCount}})
		if err != nil {
			t.Fatal(err)
		}
		var bodies []string
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body)+"#"+m.Attributes["ApproximateReceiveCount"])
		}
		slices.Sort(bodies)
		return bodies
	}
	for i := range 50 {
		send("later"+strconv.Itoa(i), 900) // a backlog of delayed messages, never due here
	}
	send("soon", 1)
	send("now", 0)
	if got := receive(1); !slices.Equal(got, []string{"now#1"}) {
		t.Fatalf("first receive: %v, want only now#1", got)
	}
	if got := receive(1); len(got) != 0 {
		t.Fatalf("while now is invisible and soon delayed: %v, want nothing", got)
	}
	time.Sleep(1500 * time.Millisecond)
	if got := receive(30); !slices.Equal(got, []string{"now#2", "soon#1"}) {
		t.Fatalf("after a second and a half: %v, want now#2 and soon#1", got)
	}
}
