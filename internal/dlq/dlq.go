// Package dlq lists and redrives dead-letter queues: the messages a
// consumer failed on more often than its queue allows. Redriving sends each
// back to its source queue (keeping a FIFO message's group, so an order's
// events stay in order) and only then deletes it from the dead-letter
// queue, so a crash in between duplicates a message rather than losing it;
// consumers are idempotent.
package dlq

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQS is the subset of the client the tool calls.
type SQS interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// Message is a dead letter.
type Message struct {
	ID       string
	Group    string
	Receives string
	Body     string
}

// List returns up to max dead letters without consuming them: each is made
// visible again once read.
func List(ctx context.Context, c SQS, dlqURL string, max int) ([]Message, error) {
	var out []Message
	var handles []*string
	defer func() {
		for _, h := range handles {
			_, _ = c.ChangeMessageVisibility(context.WithoutCancel(ctx), &sqs.ChangeMessageVisibilityInput{QueueUrl: &dlqURL, ReceiptHandle: h, VisibilityTimeout: 0})
		}
	}()
	seen := map[string]bool{}
	for len(out) < max {
		res, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &dlqURL, MaxNumberOfMessages: int32(min(10, max-len(out))), VisibilityTimeout: 30,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			return out, fmt.Errorf("dlq: receive: %w", err)
		}
		fresh := 0
		for _, m := range res.Messages {
			handles = append(handles, m.ReceiptHandle)
			id := aws.ToString(m.MessageId)
			if seen[id] {
				continue
			}
			seen[id], fresh = true, fresh+1
			out = append(out, Message{ID: id, Group: m.Attributes["MessageGroupId"], Receives: m.Attributes["ApproximateReceiveCount"], Body: aws.ToString(m.Body)})
		}
		if fresh == 0 {
			break
		}
	}
	return out, nil
}

// Redrive moves up to max dead letters back to sourceURL and returns how
// many it moved.
func Redrive(ctx context.Context, c SQS, dlqURL, sourceURL string, fifo bool, max int) (int, error) {
	moved := 0
	for moved < max {
		res, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &dlqURL, MaxNumberOfMessages: int32(min(10, max-moved)), VisibilityTimeout: 60,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			return moved, fmt.Errorf("dlq: receive: %w", err)
		}
		if len(res.Messages) == 0 {
			return moved, nil
		}
		for _, m := range res.Messages {
			in := &sqs.SendMessageInput{QueueUrl: &sourceURL, MessageBody: m.Body, MessageAttributes: m.MessageAttributes}
			if fifo {
				in.MessageGroupId = aws.String(m.Attributes["MessageGroupId"])
				// A new deduplication id: the original's may still be inside
				// the queue's five-minute window and would drop the redrive.
				in.MessageDeduplicationId = aws.String("redrive-" + aws.ToString(m.MessageId))
			}
			if _, err := c.SendMessage(ctx, in); err != nil {
				return moved, fmt.Errorf("dlq: send back %s: %w", aws.ToString(m.MessageId), err)
			}
			if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &dlqURL, ReceiptHandle: m.ReceiptHandle}); err != nil {
				return moved, fmt.Errorf("dlq: delete %s: %w", aws.ToString(m.MessageId), err)
			}
			moved++
		}
	}
	return moved, nil
}
