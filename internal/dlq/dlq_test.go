package dlq_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/jiaoyi-dev/jiaoyi/internal/dlq"
	"github.com/jiaoyi-dev/jiaoyi/internal/resource"
	"github.com/jiaoyi-dev/jiaoyi/internal/testenv/awstest"
)

func TestListAndRedriveFIFO(t *testing.T) {
	ctx := context.Background()
	c := awstest.SQS(t)
	env := awstest.Queues(t)
	src, dead := env[resource.PaymentEvents.EnvVar], env[resource.PaymentEvents.DeadLetterEnvVar()]
	for i := range 3 {
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &dead, MessageBody: aws.String(fmt.Sprintf(`{"n":%d}`, i)),
			MessageGroupId: aws.String("ord_1"), MessageDeduplicationId: aws.String(fmt.Sprint("d", i))})
		if err != nil {
			t.Fatal(err)
		}
	}
	listed, err := dlq.List(ctx, c, dead, 10)
	if err != nil || len(listed) != 3 || listed[0].Group != "ord_1" {
		t.Fatalf("list = %+v, %v; want 3 messages of group ord_1", listed, err)
	}
	moved, err := dlq.Redrive(ctx, c, dead, src, true, 10)
	if err != nil || moved != 3 {
		t.Fatalf("redrive = %d, %v; want 3", moved, err)
	}
	if left, _ := dlq.List(ctx, c, dead, 10); len(left) != 0 {
		t.Errorf("%d left in the dead-letter queue", len(left))
	}
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src, MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 3 || aws.ToString(out.Messages[0].Body) != `{"n":0}` {
		t.Errorf("source got %d messages (first %v), want 3 in order", len(out.Messages), out.Messages)
	}
}
